"""One event's properties repaired or left out on their own, as the forgiving clients do.

icalendar (non-strict) keeps a property it cannot parse as broken and lists it in the component's
`errors`. Here each such property is repaired where its intent is plain (a `PT1W` duration is one
week), else removed so the rest of the event is read; an event whose start cannot be read cannot be
put in time and is left out. Each is counted and described in `Problems`.

A floating UNTIL under a DTSTART with a time zone is taken in that zone: RFC 5545 asks for UTC
there, and ical.js and node-ical read the producer's intent the same way (the last instance counts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Component

KEEP_SENTENCES = 5
# A duration with its "T" before a week or day count (PT1W, PT2D): other parsers take the intent.
_LOOSE_DURATION = re.compile(r"^([+-]?)P(?:T)?(\d+)([WD])$", re.IGNORECASE)


@dataclass
class Problems:
    """What could not be read: a count and the first few sentences."""

    initial: list[str] = field(default_factory=list)
    count: int = 0
    _sentences: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for sentence in self.initial:
            self.add(sentence)

    def add(self, sentence: str) -> None:
        self.count += 1
        if len(self._sentences) < KEEP_SENTENCES:
            self._sentences.append(sentence)

    @property
    def sentences(self) -> tuple[str, ...]:
        return tuple(self._sentences)


def _summary(component: Component) -> str:
    value = component.get("SUMMARY")
    text = str(value[0] if isinstance(value, list) and value else value or "")
    return f"the event {text[:60]!r}" if text else "an event without a title"


def loose_duration(text: str) -> timedelta | None:
    match = _LOOSE_DURATION.match(text.strip())
    if match is None:
        return None
    sign, amount, unit = match.groups()
    try:
        length = timedelta(weeks=int(amount)) if unit.upper() == "W" else timedelta(days=int(amount))
    except OverflowError:
        return None
    return -length if sign == "-" else length


def repair_component(component: Component, problems: Problems) -> bool:
    """Repair or remove the event's broken properties; False when the event cannot be placed."""
    for name, error in list(getattr(component, "errors", [])):
        if name is None:
            problems.add(f"a line of {_summary(component)} could not be read: {str(error)[:120]}")
            continue
        if name == "DURATION":
            length = loose_duration(_raw(component.get(name)))
            if length is not None:
                component.pop(name)
                component.add("DURATION", length)
                continue
        if name in ("DTSTART", "UID"):
            continue  # decided below
        component.pop(name, None)
        problems.add(f"{_summary(component)}: its {name} could not be read and was ignored")
    if not _placeable(component):
        problems.add(f"{_summary(component)} has no start that can be read and was left out")
        return False
    _until_in_start_zone(component)
    return True


def _raw(value: Any) -> str:
    return str(getattr(value, "ical_value", None) or getattr(value, "value", None) or value or "")


def _placeable(component: Component) -> bool:
    try:
        at = component.get("DTSTART").dt
    except Exception:  # missing, repeated or broken: icalendar raises several kinds here
        return False
    return isinstance(at, date)


def _until_in_start_zone(component: Component) -> None:
    start = component.get("DTSTART").dt
    rules = component.get("RRULE")
    if not isinstance(start, datetime) or start.tzinfo is None or rules is None:
        return
    for rule in rules if isinstance(rules, list) else [rules]:
        until = rule.get("UNTIL") if hasattr(rule, "get") else None
        values = until if isinstance(until, list) else [until]
        if values and isinstance(values[0], datetime) and values[0].tzinfo is None:
            # written back in UTC: recurring-ical-events reads the rule from its text form
            rule["UNTIL"] = [values[0].replace(tzinfo=start.tzinfo).astimezone(UTC)]


__all__ = ["Problems", "loose_duration", "repair_component"]
