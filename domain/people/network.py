"""The network assessment: who we know, how strong each relationship is, who is overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.people.contacts import Contact
from domain.tracking.actions import Interactions
from domain.tracking.periods import Frame, local_date, period_of


@dataclass(frozen=True, slots=True)
class ContactStanding:
    contact: Contact
    interactions: Interactions
    overdue_days: int | None  # days past the keep-in-touch cadence, None when not due

    @property
    def first_seen(self) -> datetime:
        """The earliest we know of them: added, first met, or connected (an import of a
        three-year-old LinkedIn connection is not someone new this week)."""
        moments = [self.contact.added_at, self.interactions.first, self.contact.known_since_moment]
        return min(m for m in moments if m is not None)


@dataclass(frozen=True, slots=True)
class NetworkAssessment:
    contacts: tuple[ContactStanding, ...]  # strongest relationships first
    by_strength: dict[str, int]  # "1".."5" and "unrated"
    overdue: tuple[ContactStanding, ...]  # most overdue first
    new_this_week: tuple[ContactStanding, ...]
    new_this_month: tuple[ContactStanding, ...]


def _overdue_days(contact: Contact, interactions: Interactions, now: datetime) -> int | None:
    if contact.cadence_days is None:
        return None
    since = interactions.last or contact.added_at
    late = (now - since).days - contact.cadence_days
    return late if late > 0 else None


def assess(
    contacts: list[tuple[Contact, Interactions]], now: datetime, tz: ZoneInfo, week_start: int
) -> NetworkAssessment:
    standings = [ContactStanding(c, i, _overdue_days(c, i, now)) for c, i in contacts]
    standings.sort(key=lambda s: (-(s.contact.strength or 0), s.contact.name.lower()))
    by_strength = {str(n): 0 for n in range(1, 6)} | {"unrated": 0}
    for s in standings:
        by_strength[str(s.contact.strength) if s.contact.strength else "unrated"] += 1
    today = local_date(now, tz)
    week = period_of(today, Frame.WEEK, week_start)
    month = period_of(today, Frame.MONTH, week_start)
    seen = [(s, local_date(s.first_seen, tz)) for s in standings]
    return NetworkAssessment(
        contacts=tuple(standings),
        by_strength=by_strength,
        overdue=tuple(sorted((s for s in standings if s.overdue_days), key=lambda s: -(s.overdue_days or 0))),
        new_this_week=tuple(s for s, day in seen if week.contains(day) and day <= today),
        new_this_month=tuple(s for s, day in seen if month.contains(day) and day <= today),
    )
