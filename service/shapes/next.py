"""The "next" list (who to reach out to next, and why), answering an item, meeting briefs, and how
close each contact is (issue 28)."""

from __future__ import annotations

from pydantic import BaseModel

from domain.people.closeness import Closeness
from domain.people.meetings import Brief, Interaction, PersonBrief
from domain.people.next_actions import NextItem
from domain.people.next_answers import Promise


class NextItemOut(BaseModel):
    item_id: str
    kind: str
    reason: str
    score: float
    contact_id: str | None
    contact_name: str | None
    goal_id: str | None
    goal_title: str | None
    aspiration_id: str | None
    aspiration_text: str | None
    action: str | None  # the action kind "done" logs (None: done only records the answer)
    meeting_id: str | None  # brief and after-meeting: the meeting (its people, its brief)

    @classmethod
    def of(cls, item: NextItem) -> NextItemOut:
        return cls(
            item_id=item.item_id,
            kind=item.kind,
            reason=item.reason,
            score=item.score,
            contact_id=item.contact_id,
            contact_name=item.contact_name,
            goal_id=item.goal_id,
            goal_title=item.goal_title,
            aspiration_id=item.aspiration_id,
            aspiration_text=item.aspiration_text,
            action=item.action,
            meeting_id=item.meeting_id,
        )


class AnswerOut(BaseModel):
    item_id: str
    answer: str
    action_id: str | None
    promise_ids: list[str]


class InteractionOut(BaseModel):
    at: str
    kind: str
    title: str | None
    note: str | None

    @classmethod
    def of(cls, found: Interaction) -> InteractionOut:
        return cls(at=found.at.isoformat(), kind=found.kind, title=found.title, note=found.note)


class PromiseOut(BaseModel):
    promise_id: str
    text: str
    made_at: str

    @classmethod
    def of(cls, promise: Promise) -> PromiseOut:
        return cls(promise_id=promise.promise_id, text=promise.text, made_at=promise.made_at.isoformat())


class PersonBriefOut(BaseModel):
    contact_id: str
    name: str
    who: str  # organisation and role, how you met
    closeness: str  # the closeness sentence
    last: list[InteractionOut]
    needs: list[str]
    promises: list[PromiseOut]

    @classmethod
    def of(cls, person: PersonBrief) -> PersonBriefOut:
        return cls(
            contact_id=person.contact_id,
            name=person.name,
            who=person.who,
            closeness=person.closeness,
            last=[InteractionOut.of(i) for i in person.last],
            needs=list(person.needs),
            promises=[PromiseOut.of(p) for p in person.promises],
        )


class BriefOut(BaseModel):
    meeting_id: str
    source: str
    title: str
    start: str
    end: str | None
    when: str  # "tomorrow at 10:00"
    serves: list[str]  # goal titles, then aspiration texts
    new_people: list[str]  # attendees who are not contacts
    people: list[PersonBriefOut]

    @classmethod
    def of(cls, found: Brief) -> BriefOut:
        m = found.meeting
        return cls(
            meeting_id=m.meeting_id,
            source=m.source,
            title=m.title,
            start=m.start.isoformat(),
            end=m.end.isoformat() if m.end else None,
            when=found.when,
            serves=list(found.serves),
            new_people=list(found.new_people),
            people=[PersonBriefOut.of(p) for p in found.people],
        )


class ClosenessOut(BaseModel):
    contact_id: str
    name: str
    score: float
    level: str
    rhythm_days: float
    silence_days: int | None  # days since the last interaction, None when there was none
    interactions: int
    floor: float
    explanation: str

    @classmethod
    def of(cls, name: str, found: Closeness) -> ClosenessOut:
        return cls(
            contact_id=found.contact_id,
            name=name,
            score=round(found.score, 3),
            level=found.level,
            rhythm_days=found.rhythm_days,
            silence_days=found.silence_days,
            interactions=found.interactions,
            floor=round(found.floor, 3),
            explanation=found.explanation,
        )
