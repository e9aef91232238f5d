"""Decisions about a user's account: registering, settings, career aspirations."""

from __future__ import annotations

from datetime import datetime

from domain.decisions.common import (
    require_registered,
    text_field,
)
from domain.decisions.profile import ASPIRATION_KINDS, Profile
from domain.errors import DomainError, NotFoundError
from domain.event_types import facts
from domain.event_types.events import Event
from domain.event_types.payloads import UserSettingsChanges
from domain.people.offers import validate_list
from domain.progress_updates.daily import parse_daily_at
from domain.tracking.periods import (
    parse_timezone,
    require_aware,
)


def register(
    handle: str, timezone: str, now: datetime, *, week_start: int = 0, weekly_budget: int = 5
) -> Event:
    handle = text_field(handle, "user name", limit=254).lower()
    parse_timezone(timezone)
    _validate_budget(weekly_budget)
    return facts.user_registered(handle, timezone, week_start, weekly_budget, require_aware(now))


def _validate_budget(budget: int) -> None:
    if not 1 <= budget <= 100:
        raise DomainError(f"weekly budget {budget} is out of range: use 1 to 100 actions a week")


def change_settings(
    profile: Profile,
    now: datetime,
    *,
    timezone: str | None = None,
    week_start: int | None = None,
    weekly_budget: int | None = None,
    offers: tuple[str, ...] | None = None,
    daily_at: str | None = None,
) -> list[Event]:
    """Change what is given; `daily_at` is HH:MM or "off" (the daily message)."""
    require_registered(profile)
    data: UserSettingsChanges = {}
    if daily_at is not None:
        chosen = parse_daily_at(daily_at)
        if chosen != profile.daily_at:
            data["daily_at"] = chosen
    if offers is not None:
        checked = validate_list(offers, "what you can offer")
        if tuple(checked) != profile.offers:
            data["offers"] = checked
    if timezone is not None and timezone != profile.timezone:
        parse_timezone(timezone)
        data["timezone"] = timezone
    if week_start is not None and week_start != profile.week_start:
        data["week_start"] = week_start
    if weekly_budget is not None and weekly_budget != profile.weekly_budget:
        _validate_budget(weekly_budget)
        data["weekly_budget"] = weekly_budget
    if not data:
        return []
    return [facts.user_settings_changed(data, now)]


def add_aspiration(profile: Profile, aspiration_id: str, text: str, kind: str, now: datetime) -> Event:
    require_registered(profile)
    if kind not in ASPIRATION_KINDS:
        raise DomainError(f"unknown aspiration kind {kind!r}: use one of {', '.join(ASPIRATION_KINDS)}")
    return facts.aspiration_added(aspiration_id, text_field(text, "aspiration"), kind, now)


def update_aspiration(
    profile: Profile, aspiration_id: str, now: datetime, *, text: str | None = None, kind: str | None = None
) -> list[Event]:
    """Change an aspiration's words or kind; the goals serving it keep serving it."""
    require_registered(profile)
    old = profile.aspirations.get(aspiration_id)
    if old is None:
        raise NotFoundError(f"no aspiration with id {aspiration_id!r}")
    if text is None and kind is None:
        raise DomainError("nothing to change: give a new text or kind")
    new_text = text_field(text, "aspiration") if text is not None else None
    if new_text == old.text:
        new_text = None
    if kind is not None and kind != old.kind:
        if kind not in ASPIRATION_KINDS:
            raise DomainError(f"unknown aspiration kind {kind!r}: use one of {', '.join(ASPIRATION_KINDS)}")
    else:
        kind = None
    if new_text is None and kind is None:
        return []
    return [facts.aspiration_updated(aspiration_id, now, text=new_text, kind=kind)]
