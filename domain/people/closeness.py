"""How close a relationship is now, derived from the log (issue 28).

The score in [0, 1] is the best the log supports at `now`:
- an anchor: the latest strength re-assessment (1-5) sets the level the relationship starts from;
  without one, someone you know starts at 0.2;
- every interaction after the anchor lifts the level part of the way to 1;
- silence decays it, keyed to the relationship's own rhythm: the contact's keep-in-touch cadence
  if set, else the median gap between their interactions (bounded to 7-90 days). Within the rhythm
  nothing decays; past it the level halves every two rhythms;
- a floor for long relationships: a relationship that spanned a year with many interactions (or
  a strong rating) never falls below 0.5 (× how long and how deep it was), so a quiet month does
  not turn an old friend into a stranger.

The score is the maximum over the prefixes of the interactions (each judged with the rhythm known
at that point), so a new interaction adds a candidate and can never lower it — a shorter rhythm
learnt from frequent meetings does not punish the people you see most.
Pure: the clock comes in as an argument.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from domain.people.contacts import Contact

MIN_RHYTHM: Final = 7.0
MAX_RHYTHM: Final = 90.0
DEFAULT_RHYTHM: Final = 30.0
UNRATED_BASE: Final = 0.2
STEP: Final = 0.2  # each interaction closes this share of the distance to 1
FLOOR_MAX: Final = 0.5
LONG_DAYS: Final = 365.0
DEEP_INTERACTIONS: Final = 8
_DAY: Final = 86400.0
LEVELS: Final = ((0.66, "Close"), (0.4, "Warm"), (0.15, "Cooling"), (0.0, "Distant"))


@dataclass(frozen=True, slots=True)
class Closeness:
    contact_id: str
    score: float
    level: str
    rhythm_days: float
    silence_days: int | None  # days since the last interaction, None when there was none
    interactions: int
    floor: float
    explanation: str


def rhythm_days(cadence_days: int | None, gaps_days: Sequence[float]) -> float:
    """The relationship's own rhythm: its cadence, else the median gap, bounded."""
    if cadence_days is not None:
        return float(cadence_days)
    if not gaps_days:
        return DEFAULT_RHYTHM
    ordered = sorted(gaps_days)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return min(MAX_RHYTHM, max(MIN_RHYTHM, median))


def decay(silence_days: float, rhythm: float) -> float:
    """1 within the rhythm, then halving every two rhythms; never increasing in silence."""
    late = max(0.0, silence_days - rhythm)
    return float(0.5 ** (late / (2 * rhythm)))


def _level(score: float) -> str:
    return next(name for bound, name in LEVELS if score >= bound)


def _floor(
    contact: Contact, first: datetime | None, last: datetime | None, count: int, strength: int
) -> float:
    """How far a long relationship can fall: by how long it spanned up to its last contact (not up
    to now, so waiting never raises it) and how deep it was (interactions or a strong rating)."""
    starts = [m for m in (first, contact.known_since_moment) if m is not None]
    if not starts or last is None:
        return 0.0
    span = max(0.0, (last - min(starts)).total_seconds() / _DAY)
    depth = max(min(1.0, count / DEEP_INTERACTIONS), (strength - 1) / 4 if strength else 0.0)
    return FLOOR_MAX * min(1.0, span / LONG_DAYS) * depth


def closeness(contact: Contact, touches: Sequence[datetime], now: datetime) -> Closeness:
    """The closeness of one contact at `now`; `touches` are their interactions (any order; those
    after `now` are ignored)."""
    moments = sorted(t for t in touches if t <= now)
    anchors = [(at, s) for at, s in contact.strengths if at <= now]
    anchor_at, strength = anchors[-1] if anchors else (None, 0)
    base = strength / 5 if strength else UNRATED_BASE
    start = anchor_at if anchor_at is not None else min([contact.added_at, *moments[:1]])
    best = base * decay(max(0.0, (now - start).total_seconds() / _DAY), _rhythm_prefix(contact, []))
    gaps: list[float] = []
    level = base
    after_anchor = 0
    rhythm = rhythm_days(contact.cadence_days, [])
    for index, moment in enumerate(moments):
        if index:
            bisect.insort(gaps, (moment - moments[index - 1]).total_seconds() / _DAY)
        if anchor_at is not None and moment < anchor_at:
            continue  # the re-assessment already reflects what came before it
        after_anchor += 1
        level = 1 - (1 - base) * (1 - STEP) ** after_anchor
        rhythm = _rhythm_prefix(contact, gaps)
        best = max(best, level * decay((now - moment).total_seconds() / _DAY, rhythm))
    last = moments[-1] if moments else None
    floor = _floor(contact, moments[0] if moments else None, last, len(moments), strength)
    score = min(1.0, max(0.0, best, floor))
    silence = None if last is None else (now - last).days
    return Closeness(
        contact.contact_id,
        score,
        _level(score),
        rhythm,
        silence,
        len(moments),
        floor,
        _explain(contact, moments, score, rhythm, floor, anchors[-1] if anchors else None, now),
    )


def _rhythm_prefix(contact: Contact, sorted_gaps: Sequence[float]) -> float:
    return rhythm_days(contact.cadence_days, sorted_gaps)


def _span(days: float) -> str:
    days = round(days)
    if days % 7 == 0 and days >= 14:
        return f"{days // 7} weeks"
    if days >= 60 and days % 30 in (0, 1, 29):
        return f"{round(days / 30)} months"
    return "1 day" if days == 1 else f"{days} days"


def _ago(delta: timedelta) -> str:
    days = delta.days
    return "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"


def _explain(
    contact: Contact,
    moments: Sequence[datetime],
    score: float,
    rhythm: float,
    floor: float,
    anchor: tuple[datetime, int] | None,
    now: datetime,
) -> str:
    parts: list[str] = []
    if moments:
        times = "once" if len(moments) == 1 else f"{len(moments)} times"
        parts.append(f"you were in touch {times} since {moments[0]:%B %Y}")
        silence = now - moments[-1]
        usual = "your cadence of " + _span(rhythm) if contact.cadence_days else "your usual " + _span(rhythm)
        where = "within" if silence.total_seconds() / _DAY <= rhythm else "past"
        parts.append(f"last {_ago(silence)}, {where} {usual}")
    else:
        parts.append("no interaction logged yet")
    if anchor is not None:
        parts.append(f"rated {anchor[1]} of 5 on {anchor[0]:%Y-%m-%d}")
    if floor > 0 and score <= floor:
        parts.append("a long relationship keeps it from fading further")
    return f"{_level(score)}: " + "; ".join(parts) + "."
