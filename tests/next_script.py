"""A small scripted log for the "next" list's tests: a person's profile and actions stream, written
as the events the service would append, folded by the domain's own folds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.calendars.block_ledger import BlockLedger
from domain.decisions.profile import Profile
from domain.event_types import events as ev
from domain.people.meetings import Meeting
from domain.people.next_actions import NextItem, next_list
from domain.people.next_answers import Answer, answer_event, answer_from_event
from domain.tracking.actions import ActionFact, action_from_done


def at(day: str, clock: str = "12:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00").replace(tzinfo=UTC)


@dataclass
class Script:
    user_id: str = "u1"
    profile: Profile = field(init=False)
    actions: list[ActionFact] = field(default_factory=list)
    ledger: BlockLedger = field(default_factory=BlockLedger)
    answers: list[Answer] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    _actions: int = 0

    def __post_init__(self) -> None:
        self.profile = Profile(self.user_id)
        self._profile(ev.USER_REGISTERED, "2025-01-01", handle="me", timezone="UTC")

    def _profile(self, event_type: str, day: str, **data: Any) -> None:
        self.profile.apply(event_type, {**data, "at": at(day, "08:00").isoformat()})

    def offers(self, day: str, *offers: str) -> None:
        self._profile(ev.USER_SETTINGS_CHANGED, day, offers=list(offers))

    def aspiration(self, aspiration_id: str, text: str, kind: str, day: str) -> None:
        self._profile(ev.ASPIRATION_ADDED, day, aspiration_id=aspiration_id, text=text, kind=kind)

    def contact(self, contact_id: str, name: str, day: str, **fields: Any) -> None:
        self._profile(ev.CONTACT_ADDED, day, contact_id=contact_id, name=name, **fields)

    def update(self, contact_id: str, day: str, **fields: Any) -> None:
        self._profile(ev.CONTACT_UPDATED, day, contact_id=contact_id, **fields)

    def goal(
        self, goal_id: str, title: str, action: str, target: int, frame: str, day: str, **more: Any
    ) -> None:
        self._profile(
            ev.GOAL_SET, day, goal_id=goal_id, title=title, action=action, target=target, frame=frame,
            start=day, **more,
        )  # fmt: skip

    def did(self, kind: str, day: str, *contacts: str, clock: str = "12:00") -> str:
        self._actions += 1
        action_id = f"a{self._actions}"
        data = {
            "action_id": action_id,
            "kind": kind,
            "at": at(day, clock).isoformat(),
            "contact_ids": list(contacts),
        }
        self.actions.append(action_from_done(data))
        self.ledger.apply(ev.ACTION_DONE, data)
        return action_id

    def block(self, block_id: str, start: datetime, end: datetime, title: str, *contacts: str) -> None:
        self.ledger.apply(
            ev.ACTION_PLANNED,
            {
                "action_id": block_id, "kind": "reach-out", "start": start.isoformat(),
                "end": end.isoformat(), "title": title, "contact_ids": list(contacts),
            },
        )  # fmt: skip

    def meeting(
        self,
        meeting_id: str,
        start: datetime,
        title: str,
        *contacts: str,
        strangers: tuple[str, ...] = (),
        going: bool = True,
    ) -> None:
        """A calendar meeting of an hour, as a calendar reader hands it over."""
        others = tuple((email, None) for email in strangers)
        end = start + timedelta(hours=1)
        self.meetings.append(Meeting(meeting_id, "ical", title, start, end, contacts, others, going))

    def answer(
        self,
        item_id: str,
        reply: str,
        now: datetime,
        contact_id: str | None = None,
        until: date | None = None,
        promises: tuple[tuple[str, str], ...] = (),
    ) -> None:
        event = answer_event(item_id, reply, now, contact_id=contact_id, until=until, promises=promises)
        self.answers.append(answer_from_event(event.data))

    def next(self, now: datetime, limit: int = 7) -> list[NextItem]:
        blocks = self.ledger.blocks.values()
        return next_list(self.profile, self.actions, blocks, self.answers, now, limit, self.meetings)


def shown(items: list[NextItem]) -> list[tuple[str, str]]:
    """What a person reads of each item: its id and its reason."""
    return [(i.item_id, i.reason) for i in items]
