"""Turn what people type into dates and times in their own time zone, and action kinds into the
ones netgoals counts."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from service.commands import DomainError

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RELATIVE = re.compile(
    r"^(?:(?P<word>now|today|yesterday)|(?P<n>\d{1,3})\s+days?\s+ago|(?P<last>last\s+)?(?P<weekday>[a-z]+))"
    r"(?:\s+(?:at\s+)?(?P<clock>\d{1,2}(?::\d{2})?))?$"
)
_EXAMPLES = "'2026-11-20 19:00', 'yesterday 19:00', 'today 9:30', '3 days ago' or 'monday 18:00'"


def parse_day(text: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(f"invalid {what} {text!r}: use YYYY-MM-DD, e.g. 2026-11-20") from None


def _clock(text: str | None, what: str, original: str) -> time | None:
    if text is None:
        return None
    hours, _, minutes = text.partition(":")
    try:
        return time(int(hours), int(minutes or 0))
    except ValueError:
        raise DomainError(f"invalid {what} {original!r}: {text} is not a time of day") from None


def _relative(text: str, tz: ZoneInfo, now: datetime, what: str) -> datetime | None:
    """'yesterday 19:00', 'today', '3 days ago 18:00', 'monday 18:00' (the latest Monday, today
    included; 'last monday' is a week ago on a Monday); a day without a time is noon, as for a
    bare date; 'now' is now."""
    found = _RELATIVE.match(" ".join(text.lower().split()))
    if found is None:
        return None
    today = now.astimezone(tz).date()
    word, count, weekday = found.group("word"), found.group("n"), found.group("weekday")
    if word == "now":
        return None if found.group("clock") else now.astimezone(tz)
    if word is not None:
        day = today - timedelta(days=1 if word == "yesterday" else 0)
    elif count is not None:
        day = today - timedelta(days=int(count))
    else:
        matches = [i for i, name in enumerate(_WEEKDAYS) if len(weekday) >= 3 and name.startswith(weekday)]
        if len(matches) != 1:
            return None
        back = (today.weekday() - matches[0]) % 7
        day = today - timedelta(days=back or (7 if found.group("last") else 0))
    at = _clock(found.group("clock"), what, text) or time(12)
    return datetime.combine(day, at, tzinfo=tz)


def parse_moment(text: str, tz: ZoneInfo, what: str = "time", now: datetime | None = None) -> datetime:
    """ISO date and time (without an offset it is read in the user's time zone, a bare date is
    noon), or a time relative to `now` such as 'yesterday 19:00'."""
    stripped = text.strip()
    if not stripped:
        raise DomainError(f"{what} is empty: give a time such as {_EXAMPLES}")
    if now is not None:
        relative = _relative(stripped, tz, now, what)
        if relative is not None:
            return relative
    try:
        if len(stripped) == 10:
            return datetime.combine(date.fromisoformat(stripped), time(12), tzinfo=tz)
        moment = datetime.fromisoformat(stripped)
    except ValueError:
        raise DomainError(f"invalid {what} {text!r}: use {_EXAMPLES}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def check_kind(kind: str, known: Iterable[str], *, allow_new: bool, flag: str = "--new-kind") -> str:
    """An action kind netgoals already counts, or — only when asked for — a new one. A near miss
    of a known kind is most likely a typo."""
    wanted = kind.strip().lower()
    known = sorted(set(known))
    if wanted in known or allow_new:
        return wanted
    close = difflib.get_close_matches(wanted, known, n=1, cutoff=0.7)
    hint = f"did you mean {close[0]}? " if close else ""
    raise DomainError(
        f"unknown action {kind!r}: {hint}Known: {', '.join(known)}. "
        f"To count a new kind of action, add {flag}."
    )
