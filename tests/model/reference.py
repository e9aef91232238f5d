"""The reference model: what the README says netgoals should count, written down independently.

Nothing here calls the code under test. It keeps the facts a person and their calendars produced
(logged actions, retractions, attended calendar events, confirmed blocks) and answers, per goal and
period, how many the README's rules count:

- "A period's `done` counts actions of the goal's kind whose time falls in it, in the user's time
  zone. A goal set mid-period counts the whole period's actions." Deadline goals have one period,
  from start to deadline.
- New contacts (`weekly-outreach`): "a reach-out counts when the contact's first interaction in your
  log falls in the same week; each new contact counts once. A reach-out without a contact cannot count
  as new." A goal with named contacts (the mentor goal) counts actions with one of them.
- Calendar events (Google, iCal) count when they have ended, are not cancelled, and you accepted
  them; "it matches a goal: keywords (meetup, networking, conference, mixer, coffee, … per action) or
  a contact's email (the mentor's for the mentor goal)". "A counted event later cancelled or declined
  retracts its completion."
- Planned blocks count only once confirmed (or fulfilled by other evidence, which then counts
  instead), as a done action of their kind with the person named. "A block you confirmed and an
  attended event on the same day are one happening": on a day holding both, the model allows
  anything from max(evidence, confirmed) to their sum, and is exact everywhere else.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

# The README's keywords per action kind ("meetup, networking, conference, mixer, coffee, …"): the
# model only ever writes calendar events whose titles carry one of these words, or none.
KEYWORDS = {
    "attend-event": ("meetup", "networking", "conference", "mixer"),
    "reach-out": ("coffee",),
    "follow-up": ("follow up",),
}


def _mentions(text: str, word: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(word)}s?(?![a-z0-9])", text.lower()) is not None


@dataclass(frozen=True)
class RefGoal:
    goal_id: str
    title: str
    action: str
    target: int
    frame: str  # week, month, quarter, deadline
    start: date
    deadline: date | None
    contact_ids: frozenset[str] = frozenset()
    new_contacts_only: bool = False

    def qualifies(self, kind: str, contacts: frozenset[str]) -> bool:
        if kind != self.action:
            return False
        if self.contact_ids:
            return bool(contacts & self.contact_ids)
        if self.new_contacts_only:
            return bool(contacts)
        return True

    def calendar_match(self, title: str, attendee_contacts: frozenset[str]) -> bool:
        """README: a goal about people (named contacts) matches their emails; others, keywords."""
        if self.contact_ids:
            return bool(attendee_contacts & self.contact_ids)
        return any(_mentions(title, w) for w in KEYWORDS.get(self.action, (self.action.replace("-", " "),)))


@dataclass
class Fact:
    """Something that happened, as the log should hold it."""

    key: str
    kind: str
    at: datetime
    contacts: frozenset[str]
    source: str  # manual, google, ical, confirmed
    retracted: bool = False


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive

    def holds(self, day: date) -> bool:
        return self.start <= day < self.end


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def period_of(day: date, frame: str) -> Period:
    """Weeks start on Monday (the default week start), months and quarters on the calendar."""
    if frame == "week":
        start = day - timedelta(days=day.weekday())
        return Period(start, start + timedelta(days=7))
    if frame == "month":
        start = day.replace(day=1)
        return Period(start, _add_months(start, 1))
    start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return Period(start, _add_months(start, 3))


@dataclass(frozen=True)
class Expected:
    period: Period
    low: int
    high: int
    target: int

    @property
    def exact(self) -> bool:
        return self.low == self.high


@dataclass
class Reference:
    tz: ZoneInfo
    goals: dict[str, RefGoal] = field(default_factory=dict)
    facts: dict[str, Fact] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)  # email -> contact id

    # --- what people and calendars do -------------------------------------------------------
    def add(self, fact: Fact) -> None:
        self.facts[fact.key] = fact

    def retract(self, key: str) -> None:
        self.facts[key].retracted = True

    def day(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    def calendar_kinds(self, title: str, attendee_contacts: frozenset[str]) -> set[str]:
        return {g.action for g in self.goals.values() if g.calendar_match(title, attendee_contacts)}

    # --- what should be counted ---------------------------------------------------------------
    def periods(self, goal: RefGoal, today: date) -> list[Period]:
        if goal.frame == "deadline":
            assert goal.deadline is not None
            return [Period(goal.start, goal.deadline + timedelta(days=1))]
        found, period = [], period_of(goal.start, goal.frame)
        while period.start <= today:
            found.append(period)
            period = period_of(period.end, goal.frame)
        return found

    def live(self) -> list[Fact]:
        return [f for f in self.facts.values() if not f.retracted]

    def first_interactions(self) -> dict[str, date]:
        first: dict[str, datetime] = {}
        for fact in self.live():
            for contact in fact.contacts:
                if contact not in first or fact.at < first[contact]:
                    first[contact] = fact.at
        return {c: self.day(at) for c, at in first.items()}

    def expected(self, goal: RefGoal, today: date) -> list[Expected]:
        live = self.live()
        evidence = [f for f in live if f.source != "confirmed" and goal.qualifies(f.kind, f.contacts)]
        confirmed = [f for f in live if f.source == "confirmed" and goal.qualifies(f.kind, f.contacts)]
        firsts = self.first_interactions()
        found = []
        for period in self.periods(goal, today):
            target = goal.target
            if goal.new_contacts_only:
                low, high = self._new_contacts(period, evidence, confirmed, firsts)
            else:
                low = high = 0
                by_day: dict[date, list[int]] = defaultdict(lambda: [0, 0])
                for fact in evidence:
                    if period.holds(self.day(fact.at)):
                        by_day[self.day(fact.at)][0] += 1
                for fact in confirmed:
                    if period.holds(self.day(fact.at)):
                        by_day[self.day(fact.at)][1] += 1
                for seen, said in by_day.values():
                    low += max(seen, said)
                    high += seen + said
            found.append(Expected(period, low, high, target))
        return found

    def _new_contacts(
        self, period: Period, evidence: list[Fact], confirmed: list[Fact], firsts: dict[str, date]
    ) -> tuple[int, int]:
        def new(facts: list[Fact]) -> set[str]:
            return {
                c
                for f in facts
                if period.holds(self.day(f.at))
                for c in f.contacts
                if c in firsts and period.holds(firsts[c])
            }

        seen = new(evidence)
        # A confirmed block is one action, with whom the person said; it may be one happening with
        # an attended event that day (then only the event stays), so it only ever adds.
        return len(seen), len(seen | new(confirmed))

    def streak(self, rows: list[Expected], today: date) -> int | None:
        """Consecutive met periods, the open one only once met; None when a count is not exact."""
        run = 0
        for row in reversed(rows):
            if not row.exact:
                return None
            if row.low >= row.target:
                run += 1
            elif row.period.holds(today):
                continue
            else:
                break
        return run
