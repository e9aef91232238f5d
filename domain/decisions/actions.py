"""Decisions about networking actions: logging what was done, retracting a wrong entry."""

from __future__ import annotations

from datetime import datetime

from domain.decisions.common import (
    CLOCK_SKEW,
    require_registered,
    text_field,
)
from domain.decisions.profile import Profile
from domain.errors import DomainError, NotFoundError
from domain.event_types import facts
from domain.event_types.events import Event
from domain.tracking.goals import validate_action_kind
from domain.tracking.periods import (
    require_aware,
)


def log_action(
    profile: Profile,
    action_id: str,
    kind: str,
    at: datetime,
    now: datetime,
    *,
    contact_ids: tuple[str, ...] = (),
    title: str | None = None,
    note: str | None = None,
    source: str = "manual",
) -> Event:
    require_registered(profile)
    kind = validate_action_kind(kind)
    require_aware(at, "the action's time")
    if at > now + CLOCK_SKEW:
        raise DomainError(
            f"the action's time {at:%Y-%m-%d %H:%M} is in the future; log actions once they are done"
        )
    for contact_id in contact_ids:
        if contact_id not in profile.contacts:
            raise NotFoundError(f"no contact with id {contact_id!r}")
    return facts.action_done(
        action_id,
        kind,
        at,
        sorted(set(contact_ids)),
        title=text_field(title or "", "title", required=False) or None,
        note=text_field(note or "", "note", required=False, limit=2000) or None,
        source=source,
        logged_at=now,
    )


def retract_action(action_id: str, now: datetime, reason: str | None = None) -> Event:
    """Correct a wrong entry by a new fact; the service checks the action exists and is not retracted."""
    return facts.action_retracted(action_id, text_field(reason or "", "reason", required=False) or None, now)
