"""A goal's own preferences: how long its calendar blocks are and on which days and hours they may
take place (see `planning.py`), and which calendar events count for it (see `attendance.py`).
Unset fields fall back to the defaults of the goal's action kind.

What people type is validated here ("mon-fri", "18:00-21:00", 45); the log keeps the canonical form:

    {"duration_minutes": 45, "days": ["mon", "tue", "wed", "thu", "fri"], "hours": "18:00-21:00",
     "keywords": ["meetup", "demo night"], "domains": ["acme.com"]}

A missing or null field means "the default of the kind", so goals set before preferences existed
fold exactly as they did.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from typing import Any, Final

from domain.errors import DomainError

DAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MIN_DURATION, MAX_DURATION = 5, 480
MAX_TERMS, MAX_TERM = 30, 80
_DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True, slots=True)
class GoalPreferences:
    """None means "the kind's default"."""

    duration_minutes: int | None = None
    days: tuple[int, ...] | None = None  # 0 = Monday, sorted, no duplicates
    hours: tuple[time, time] | None = None  # the block starts at or after the first, ends by the second
    keywords: tuple[str, ...] | None = None  # replace the kind's keywords; () means "no keywords"
    domains: tuple[str, ...] | None = None  # attendee email domains, besides the contacts' emails

    def to_payload(self) -> dict[str, Any]:
        return {
            "duration_minutes": self.duration_minutes,
            "days": days_to_names(self.days) if self.days is not None else None,
            "hours": hours_text(self.hours) if self.hours is not None else None,
            "keywords": list(self.keywords) if self.keywords is not None else None,
            "domains": list(self.domains) if self.domains is not None else None,
        }

    @property
    def is_default(self) -> bool:
        return self == NO_PREFERENCES


NO_PREFERENCES: Final = GoalPreferences()


def preferences_from_payload(data: dict[str, Any]) -> GoalPreferences:
    """Read the canonical form back (it was validated when it was decided)."""
    days = data.get("days")
    hours = data.get("hours")
    minutes = data.get("duration_minutes")
    keywords = data.get("keywords")
    domains = data.get("domains")
    return GoalPreferences(
        duration_minutes=int(minutes) if minutes is not None else None,
        days=tuple(DAY_NAMES.index(d) for d in days) if days is not None else None,
        hours=parse_hours(hours) if hours is not None else None,
        keywords=tuple(keywords) if keywords is not None else None,
        domains=tuple(domains) if domains else None,
    )


def validate_duration(minutes: int) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise DomainError(f"duration {minutes!r} is not a number of minutes")
    if not MIN_DURATION <= minutes <= MAX_DURATION:
        raise DomainError(f"duration {minutes} is out of range: use {MIN_DURATION} to {MAX_DURATION} minutes")
    return minutes


def _day(token: str, whole: str) -> int:
    name = token.strip().lower()
    if name in DAY_NAMES:
        return DAY_NAMES.index(name)
    if name in _FULL_NAMES:
        return _FULL_NAMES.index(name)
    raise DomainError(
        f"days {whole!r}: unknown day {token.strip()!r}; use mon, tue, wed, thu, fri, sat, sun "
        "or ranges like mon-fri, separated by commas"
    )


def parse_days(value: str | Iterable[str]) -> tuple[int, ...]:
    """'mon-fri', 'mon,wed,fri', 'sat-sun' or a list of such parts → sorted weekday numbers. A
    range wraps around the week end: 'fri-mon' is Friday to Monday."""
    parts = [value] if isinstance(value, str) else list(value)
    whole = ",".join(parts)
    if len(whole) > 200:
        raise DomainError("days: too long; use names like mon-fri or mon,wed,fri")
    days: set[int] = set()
    for token in (t for part in parts for t in part.split(",")):
        if not token.strip():
            continue
        first, dash, last = token.partition("-")
        if not dash:
            days.add(_day(first, whole))
            continue
        start, end = _day(first, whole), _day(last, whole)
        day = start
        days.add(day)
        while day != end:
            day = (day + 1) % 7
            days.add(day)
    if not days:
        raise DomainError("days must name at least one day, e.g. mon-fri")
    return tuple(sorted(days))


def days_to_names(days: Iterable[int]) -> list[str]:
    return [DAY_NAMES[d] for d in sorted(days)]


def parse_hours(text: str) -> tuple[time, time]:
    """'18:00-21:00' → (18:00, 21:00); the start must come before the end on the same day."""
    found = _HOURS.match(text or "")
    if found is None:
        raise DomainError(f"hours {text!r}: use HH:MM-HH:MM, e.g. 18:00-21:00")
    h1, m1, h2, m2 = (int(g) for g in found.groups())
    if not (0 <= h1 <= 23 and 0 <= h2 <= 23 and 0 <= m1 <= 59 and 0 <= m2 <= 59):
        raise DomainError(f"hours {text!r}: not a time of day; use 00:00 to 23:59")
    start, end = time(h1, m1), time(h2, m2)
    if start >= end:
        raise DomainError(f"hours {text!r}: the start must be before the end, e.g. 18:00-21:00")
    return start, end


def hours_text(hours: tuple[time, time]) -> str:
    return f"{hours[0]:%H:%M}-{hours[1]:%H:%M}"


def validate_keywords(words: Iterable[str]) -> tuple[str, ...]:
    """Words or phrases to look for in an event's title, description or location (case-insensitive,
    whole words; a plural "s" also matches). Kept lowercase, in the order given, once each."""
    found: list[str] = []
    for word in words:
        word = " ".join((word or "").lower().split())
        if not word:
            raise DomainError("keywords must not be empty")
        if len(word) > MAX_TERM:
            raise DomainError(f"keyword {word[:20]!r}... is too long: at most {MAX_TERM} characters")
        if word not in found:
            found.append(word)
    if len(found) > MAX_TERMS:
        raise DomainError(f"keywords: at most {MAX_TERMS} per goal")
    return tuple(found)


def validate_domains(domains: Iterable[str]) -> tuple[str, ...] | None:
    """Email domains of the people a goal is about (acme.com also matches eng.acme.com); none: None."""
    found: list[str] = []
    for domain in domains:
        name = (domain or "").strip().lower().removeprefix("@")
        if not _DOMAIN.match(name):
            raise DomainError(f"domain {domain!r} is not an email domain like example.org")
        if name not in found:
            found.append(name)
    if len(found) > MAX_TERMS:
        raise DomainError(f"domains: at most {MAX_TERMS} per goal")
    return tuple(found) or None
