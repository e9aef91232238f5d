"""Decisions about a person's progress updates: where they go."""

from __future__ import annotations

from datetime import datetime

from domain.decisions.common import require_registered
from domain.decisions.profile import Profile
from domain.event_types import facts
from domain.event_types.events import Event
from domain.progress_updates.updates import UpdatePreferences, email_key, validate_preferences


def set_updates(profile: Profile, preferences: UpdatePreferences, now: datetime) -> list[Event]:
    """Choose the channel. The event names the channel kind, the email address and the options —
    never a webhook URL (a Slack URL is itself a credential), which the service keeps sealed."""
    require_registered(profile)
    validate_preferences(preferences)
    email = preferences.email if preferences.channel == "email" else None
    return [
        facts.user_updates_set(
            preferences.channel,
            email,
            preferences.webhook_format,
            preferences.immediate,
            preferences.digest,
            now,
        )
    ]


def confirm_update_email(profile: Profile, email: str, now: datetime) -> list[Event]:
    """The person opened the link sent to `email`: updates may go there. Confirming a confirmed
    address again decides nothing."""
    require_registered(profile)
    if profile.email_confirmed(email):
        return []
    return [facts.user_updates_email_confirmed(email_key(email), now)]
