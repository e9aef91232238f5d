"""How much work a calendar's repeating events may cost, checked before they are expanded.

recurring-ical-events hands every RRULE to dateutil, which walks from DTSTART onwards one period
at a time until it finds an instance past the window's end — for `FREQ=SECONDLY` that is millions
of instances, and for a rule no date can satisfy (`BYMONTH=2;BYMONTHDAY=30`) it is every period up
to the year 9999 without yielding anything. So each rule is first walked here, lazily, with the
same dateutil engine, under one budget for the whole calendar that counts every candidate date
examined, matched or not; it stops at the window's end (and UNTIL). Only a calendar that passes is
expanded, and its expansion walks the same dates, so time and memory are bounded by the budget
whatever the rules say.

Counting the dates dateutil rejects needs a hook inside its loop: it tests `bymonth` for truth
first, once for every candidate day of every period, so the rule's BYMONTH set is replaced by a
stand-in whose truth test spends the budget (and whose answers are the original's).
`tests/ical/test_recurrence_budget.py` fails if a dateutil release changes that.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil.rrule import rrule, rrulestr  # type: ignore[import-untyped]
from icalendar import Calendar, Component

MAX_EXAMINED = 500_000  # candidate dates, for a whole calendar
MAX_INSTANCES = 50_000  # instances of one event inside the window read


class RecurrenceTooCostlyError(ValueError):
    """A repeating event would cost more than the budget; the message names it, for people."""


class Budget:
    def __init__(self, limit: int = MAX_EXAMINED) -> None:
        self.limit = limit
        self.spent = 0
        self.event = ""  # the event being walked, for the message

    def spend(self, amount: int = 1) -> None:
        self.spent += amount
        if self.spent > self.limit:
            raise RecurrenceTooCostlyError(
                f"the event {self.event} repeats in a way that takes more than {self.limit:,} steps "
                "to read (a rule that repeats every minute or second, starts long ago, or matches no "
                "date at all): the calendar was not read"
            )


class _Counted:
    """Stands in for a rule's BYMONTH: the same answers, and every truth test is paid for."""

    __slots__ = ("_budget", "_inner")

    def __init__(self, inner: Any, budget: Budget) -> None:
        self._inner = inner
        self._budget = budget

    def __bool__(self) -> bool:
        self._budget.spend()
        return bool(self._inner)

    def __contains__(self, item: object) -> bool:
        return item in self._inner

    def __iter__(self) -> Iterator[Any]:
        return iter(self._inner or ())


def check(calendar: Calendar, start: datetime, end: datetime, budget: Budget) -> None:
    """Walk every RRULE of the calendar up to `end` under `budget`; RecurrenceTooCostlyError if
    it runs out, or if one event has more than MAX_INSTANCES instances between start and end."""
    stretch = _stretch(calendar)
    first, horizon = _naive(start) - stretch, _naive(end) + stretch
    for component in calendar.walk("VEVENT"):
        rules = component.get("RRULE")
        if rules is None:
            continue
        budget.event = _name(component)
        begin = _naive(component.get("DTSTART").dt)
        for rule in rules if isinstance(rules, list) else [rules]:
            parsed, until = _parse(rule, begin)
            if parsed is None:
                continue  # recurring-ical-events skips a series it cannot read, as it does here
            parsed._bymonth = _Counted(parsed._bymonth, budget)
            _walk(parsed, until, first, horizon, budget)


def _walk(parsed: rrule, until: datetime | None, first: datetime, horizon: datetime, budget: Budget) -> None:
    inside = 0
    for at in parsed:
        budget.spend()
        if at > horizon or (until is not None and at > until):
            return
        if at >= first:
            inside += 1
            if inside > MAX_INSTANCES:
                raise RecurrenceTooCostlyError(
                    f"the event {budget.event} repeats more than {MAX_INSTANCES:,} times in the "
                    "window read: the calendar was not read"
                )


def _parse(rule: Any, begin: datetime) -> tuple[rrule | None, datetime | None]:
    """The rule without its UNTIL (compared here, in UTC, so that a floating or date UNTIL never
    trips dateutil's own checks), and that UNTIL."""
    try:
        fields = dict(rule)
        until_values = fields.pop("UNTIL", None)
        text = type(rule)(fields).to_ical().decode()
        parsed = rrulestr(text, dtstart=begin, cache=False)
        until = _naive(until_values[0]) if until_values else None
    except Exception:  # hostile input: whatever the parsers raise, the library will skip it too
        return None, None
    return (parsed, until) if isinstance(parsed, rrule) else (None, None)


def _stretch(calendar: Calendar) -> timedelta:
    """How far past the window the library looks: the longest event, the furthest moved instance."""
    longest = timedelta(days=1)
    for component in calendar.walk("VEVENT"):
        begin = component.get("DTSTART")
        for other in (component.get("DTEND"), component.get("RECURRENCE-ID")):
            with suppress(Exception):  # absent or unreadable: nothing to stretch by
                longest = max(longest, abs(_naive(other.dt) - _naive(begin.dt)))
        duration = getattr(component.get("DURATION"), "dt", None)
        if isinstance(duration, timedelta):
            longest = max(longest, abs(duration))
    return longest


def _naive(value: Any) -> datetime:
    """An instant as a naive UTC datetime (floating times as they are): for bounds only."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo is not None else value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    raise TypeError(f"not a date: {value!r}")


def _name(component: Component) -> str:
    summary = str(component.get("SUMMARY") or "").strip()[:80]
    uid = str(component.get("UID") or "").strip()[:80]
    return f"{summary!r} (UID {uid})" if summary else f"with UID {uid!r}"
