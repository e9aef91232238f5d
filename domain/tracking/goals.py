"""SMART networking goals: what counts, how many, by when — and their lifecycle."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Final

from domain.errors import DomainError
from domain.people.contact_matching import at_kind
from domain.people.contacts import Contact
from domain.tracking.periods import Frame, Period, deadline_period, period_of
from domain.tracking.preferences import NO_PREFERENCES, GoalPreferences, preferences_from_payload

ACTION_KINDS: Final = ("attend-event", "reach-out", "follow-up", "offer-help", "meet-mentor")
_CUSTOM_ACTION = re.compile(r"^[a-z][a-z0-9-]{1,39}$")


def validate_action_kind(kind: str) -> str:
    kind = kind.strip().lower()
    if not _CUSTOM_ACTION.match(kind):
        raise DomainError(
            f"invalid action {kind!r}: use one of {', '.join(ACTION_KINDS)} "
            "or a custom name of 2-40 lowercase letters, digits and dashes"
        )
    return kind


@dataclass(frozen=True, slots=True)
class GoalTemplate:
    name: str
    title: str
    action: str
    target: int
    frame: Frame
    new_contacts_only: bool = False
    needs_contact: bool = False
    default_months: int = 0
    description: str = ""


TEMPLATES: Final = {
    t.name: t
    for t in (
        GoalTemplate(
            "monthly-event",
            "Attend one networking event per month",
            "attend-event",
            1,
            Frame.MONTH,
            description="attend one networking event per month",
        ),
        GoalTemplate(
            "weekly-outreach",
            "Reach out to one new contact per week",
            "reach-out",
            1,
            Frame.WEEK,
            new_contacts_only=True,
            description="reach out to one new contact per week",
        ),
        GoalTemplate(
            "mentor",
            "Build a relationship with a mentor",
            "meet-mentor",
            6,
            Frame.DEADLINE,
            needs_contact=True,
            default_months=6,
            description="meet one named mentor regularly, six times within six months",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Goal:
    """A goal as folded from its events. Targets and pauses keep their history."""

    goal_id: str
    title: str
    action: str
    frame: Frame
    start: date
    deadline: date | None
    targets: tuple[tuple[date, int], ...]  # (first period start it applies to, target)
    set_at: datetime
    aspiration_id: str | None = None
    contact_ids: tuple[str, ...] = ()
    new_contacts_only: bool = False
    template: str | None = None
    pauses: tuple[tuple[datetime, datetime | None], ...] = ()
    archived_at: datetime | None = None
    preferences: GoalPreferences = NO_PREFERENCES
    # Counts only contacts at this kind of organisation ("climate startup";
    # domain.people.contact_matching.at_kind).
    contact_kind: str | None = None

    @property
    def target(self) -> int:
        return self.targets[-1][1]

    def target_for(self, period_start: date) -> int:
        current = self.targets[0][1]
        for effective, target in self.targets:
            if effective <= period_start:
                current = target
        return current

    @property
    def is_paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1][1] is None

    def paused_at(self, at: datetime) -> bool:
        return any(start <= at and (end is None or at < end) for start, end in self.pauses)

    def paused_between(self, start: datetime, end: datetime) -> bool:
        return any(p_start < end and (p_end is None or p_end > start) for p_start, p_end in self.pauses)

    def first_period(self, week_start: int) -> Period:
        if self.frame is Frame.DEADLINE:
            assert self.deadline is not None
            return deadline_period(self.start, self.deadline)
        return period_of(self.start, self.frame, week_start)

    def period_for(self, day: date, week_start: int) -> Period | None:
        """The goal's period containing a local day, or None when the day is outside the goal."""
        if self.frame is Frame.DEADLINE:
            span = self.first_period(week_start)
            return span if span.contains(day) else None
        period = period_of(day, self.frame, week_start)
        return period if period.end > self.start else None

    def counts(
        self,
        kind: str,
        contact_ids: tuple[str, ...] | list[str],
        contacts: Mapping[str, Contact] | None = None,
    ) -> bool:
        """Whether an action of this kind with these contacts can count for this goal at all
        (`contacts`: the profile's, which a goal for a kind of organisation needs)."""
        if kind != self.action:
            return False
        eligible = self.eligible(contact_ids, contacts)
        if self.contact_ids:
            return any(c in self.contact_ids for c in eligible)
        if self.new_contacts_only or self.contact_kind is not None:
            return bool(eligible)
        return True

    def eligible(
        self, contact_ids: tuple[str, ...] | list[str], contacts: Mapping[str, Contact] | None
    ) -> tuple[str, ...]:
        """The contacts of an action this goal may count: all, or those at its kind."""
        if self.contact_kind is None:
            return tuple(contact_ids)
        if contacts is None:
            return ()
        return tuple(c for c in contact_ids if c in contacts and at_kind(contacts[c], self.contact_kind))

    def weekly_load(self, today: date) -> float:
        """Actions per week this goal asks for, for the realistic-budget check."""
        target = self.target
        if self.frame is Frame.WEEK:
            return float(target)
        if self.frame is Frame.MONTH:
            return target * 12 / 52
        if self.frame is Frame.QUARTER:
            return target * 4 / 52
        assert self.deadline is not None
        weeks = max(1.0, (self.deadline - max(today, self.start)).days / 7)
        return target / weeks

    def lifecycle(self, now: datetime) -> str:
        if self.archived_at is not None and self.archived_at <= now:
            return "archived"
        if self.paused_at(now):
            return "paused"
        return "active"


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _t(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def goal_from_set(data: dict[str, Any]) -> Goal:
    start = date.fromisoformat(data["start"])
    return Goal(
        goal_id=data["goal_id"],
        title=data["title"],
        action=data["action"],
        frame=Frame(data["frame"]),
        start=start,
        deadline=_d(data.get("deadline")),
        targets=((date.fromisoformat(data.get("effective_from") or data["start"]), int(data["target"])),),
        set_at=datetime.fromisoformat(data["at"]),
        aspiration_id=data.get("aspiration_id"),
        contact_ids=tuple(data.get("contact_ids") or ()),
        new_contacts_only=bool(data.get("new_contacts_only", False)),
        template=data.get("template"),
        preferences=preferences_from_payload(data),
        contact_kind=data.get("contact_kind"),
    )


def apply_goal_change(goal: Goal, event_type: str, data: dict[str, Any]) -> Goal:
    """Fold one lifecycle event into a goal (revised, preferences set, linked, paused, resumed,
    archived)."""
    at = datetime.fromisoformat(data["at"])
    if event_type == "goal.revised":
        targets = (*goal.targets, (date.fromisoformat(data["effective_from"]), int(data["target"])))
        title = data.get("title") or goal.title
        return replace(goal, targets=targets, title=title)
    if event_type == "goal.linked":
        return replace(goal, aspiration_id=data.get("aspiration_id"))
    if event_type == "goal.preferences-set":
        return replace(goal, preferences=preferences_from_payload(data))
    if event_type == "goal.paused":
        return replace(goal, pauses=(*goal.pauses, (at, None)))
    if event_type == "goal.resumed":
        if goal.pauses and goal.pauses[-1][1] is None:
            return replace(goal, pauses=(*goal.pauses[:-1], (goal.pauses[-1][0], at)))
        return goal
    if event_type == "goal.archived":
        return replace(goal, archived_at=at)
    raise ValueError(f"not a goal change: {event_type}")


def goal_to_dict(goal: Goal) -> dict[str, Any]:
    return {
        "goal_id": goal.goal_id,
        "title": goal.title,
        "action": goal.action,
        "frame": goal.frame.value,
        "start": goal.start.isoformat(),
        "deadline": goal.deadline.isoformat() if goal.deadline else None,
        "targets": [[d.isoformat(), t] for d, t in goal.targets],
        "set_at": goal.set_at.isoformat(),
        "aspiration_id": goal.aspiration_id,
        "contact_ids": list(goal.contact_ids),
        "new_contacts_only": goal.new_contacts_only,
        "template": goal.template,
        "pauses": [[s.isoformat(), e.isoformat() if e else None] for s, e in goal.pauses],
        "archived_at": goal.archived_at.isoformat() if goal.archived_at else None,
        "preferences": goal.preferences.to_payload(),
        "contact_kind": goal.contact_kind,
    }


def goal_from_dict(data: dict[str, Any]) -> Goal:
    return Goal(
        goal_id=data["goal_id"],
        title=data["title"],
        action=data["action"],
        frame=Frame(data["frame"]),
        start=date.fromisoformat(data["start"]),
        deadline=_d(data["deadline"]),
        targets=tuple((date.fromisoformat(d), int(t)) for d, t in data["targets"]),
        set_at=datetime.fromisoformat(data["set_at"]),
        aspiration_id=data["aspiration_id"],
        contact_ids=tuple(data["contact_ids"]),
        new_contacts_only=data["new_contacts_only"],
        template=data["template"],
        pauses=tuple((datetime.fromisoformat(s), _t(e)) for s, e in data["pauses"]),
        archived_at=_t(data["archived_at"]),
        preferences=preferences_from_payload(data.get("preferences") or {}),
        contact_kind=data.get("contact_kind"),
    )
