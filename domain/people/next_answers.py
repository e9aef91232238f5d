"""The person's answers to items of their "next" list, as facts in their actions stream.

- done: they did it (the service also logs the action, which is what counts for goals); the item
  rests for a week;
- snoozed: hidden until a day they chose;
- dismissed ("not now"): hidden for 7 days;
- never: nothing about this person again (for an item about no one: that item, for good).

Any answer can also record what the person promised ("send the intro to Ana"): a promise stays open,
shown in meeting briefs and as a `keep-promise` item (`promise:<id>`), until that item is answered
done or never (never on a promise drops it; it does not silence the person).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from domain.errors import DomainError
from domain.event_types import facts
from domain.event_types.events import Event
from domain.tracking.periods import require_aware

DONE, SNOOZED, DISMISSED, NEVER = "done", "snoozed", "dismissed", "never"
ANSWERS: Final = (DONE, SNOOZED, DISMISSED, NEVER)
REST: Final = timedelta(days=7)
MAX_SNOOZE: Final = timedelta(days=366)
MAX_ITEM_ID: Final = 200
MAX_PROMISES: Final = 5
MAX_PROMISE: Final = 200
PROMISE_ITEM: Final = "promise:"


@dataclass(frozen=True, slots=True)
class Promise:
    promise_id: str
    text: str
    contact_id: str | None
    made_at: datetime


@dataclass(frozen=True, slots=True)
class Answer:
    item_id: str
    answer: str
    at: datetime
    contact_id: str | None = None
    until: date | None = None  # snoozed until this local day (hidden before it)
    action_id: str | None = None  # the action "done" logged
    promises: tuple[Promise, ...] = ()


def check_promises(texts: Iterable[str]) -> list[str]:
    """Short texts, trimmed, at most MAX_PROMISES."""
    found = [" ".join(t.split()) for t in texts]
    if len(found) > MAX_PROMISES:
        raise DomainError(f"too many promises: {len(found)} (at most {MAX_PROMISES} per answer)")
    for text in found:
        if not text or len(text) > MAX_PROMISE:
            raise DomainError(f"a promise needs 1 to {MAX_PROMISE} characters")
    return found


def answer_event(
    item_id: str,
    answer: str,
    now: datetime,
    *,
    contact_id: str | None = None,
    until: date | None = None,
    today: date | None = None,
    action_id: str | None = None,
    promises: Sequence[tuple[str, str]] = (),
) -> Event:
    """Decide one answer; a snooze needs a day after `today` and within a year. `promises` are
    (promise id, text) pairs, made to the item's person."""
    require_aware(now, "the answer's time")
    if answer not in ANSWERS:
        raise DomainError(f"unknown answer {answer!r}: use one of {', '.join(ANSWERS)}")
    if not item_id or len(item_id) > MAX_ITEM_ID:
        raise DomainError("an answer needs the item it answers")
    if answer == SNOOZED:
        if until is None:
            raise DomainError("a snooze needs the day to snooze until")
        first = today or now.date()
        if until <= first or until - first > MAX_SNOOZE:
            raise DomainError(f"snooze until {until.isoformat()}: give a day after today and within a year")
    elif until is not None:
        raise DomainError("only a snooze takes a day")
    checked: list[tuple[str, str]] = []
    if promises:
        texts = check_promises(t for _, t in promises)
        checked = [(i, t) for (i, _), t in zip(promises, texts, strict=True)]
    return facts.next_answered(
        item_id, answer, now, contact_id=contact_id, until=until, action_id=action_id, promises=checked
    )


def answer_from_event(data: Mapping[str, Any]) -> Answer:
    """Read an answer payload; a malformed one is a DomainError (imports check with it)."""
    try:
        item_id, answer = data["item_id"], data["answer"]
        at = datetime.fromisoformat(data["at"])
        until = date.fromisoformat(data["until"]) if data.get("until") else None
        contact_id, action_id = data.get("contact_id"), data.get("action_id")
    except (KeyError, TypeError, ValueError) as exc:
        raise DomainError(f"an answer needs item_id, answer and at ({exc!r})") from None
    if not isinstance(item_id, str) or answer not in ANSWERS or at.tzinfo is None:
        raise DomainError("an answer's item_id must be text, its answer one of " + ", ".join(ANSWERS))
    for value in (contact_id, action_id):
        if value is not None and not isinstance(value, str):
            raise DomainError("an answer's contact_id and action_id must be text")
    made = data.get("promises") or []
    if not isinstance(made, list) or len(made) > MAX_PROMISES:
        raise DomainError(f"an answer's promises must be a list of at most {MAX_PROMISES}")
    promises = []
    for entry in made:
        if not isinstance(entry, dict) or not isinstance(entry.get("promise_id"), str):
            raise DomainError("a promise needs a promise_id and a text")
        said = entry.get("text")
        text = check_promises([said if isinstance(said, str) else ""])[0]
        promises.append(Promise(entry["promise_id"], text, contact_id, at))
    return Answer(item_id, answer, at, contact_id, until, action_id, tuple(promises))


@dataclass(frozen=True, slots=True)
class Answers:
    """What the answers up to a moment say: which items rest, which people are never suggested."""

    latest: Mapping[str, Answer]  # item id -> its last answer
    never_contacts: frozenset[str]
    never_items: frozenset[str]

    def hides(self, item_id: str, contact_id: str | None, now: datetime, today: date) -> bool:
        if contact_id is not None and contact_id in self.never_contacts:
            return True
        if item_id in self.never_items:
            return True
        last = self.latest.get(item_id)
        if last is None:
            return False
        if last.answer == SNOOZED:
            return last.until is not None and today < last.until
        return now < last.at + REST


def fold_answers(answers: Iterable[Answer], now: datetime) -> Answers:
    latest: dict[str, Answer] = {}
    never_contacts: set[str] = set()
    never_items: set[str] = set()
    for answer in sorted((a for a in answers if a.at <= now), key=lambda a: a.at):
        latest[answer.item_id] = answer
        if answer.answer == NEVER:
            if answer.contact_id is not None and not answer.item_id.startswith(PROMISE_ITEM):
                never_contacts.add(answer.contact_id)
            else:
                never_items.add(answer.item_id)
    return Answers(latest, frozenset(never_contacts), frozenset(never_items))


def open_promises(answers: Iterable[Answer], now: datetime) -> list[Promise]:
    """Promises made by `now` and not yet answered done or never, oldest first."""
    known = sorted((a for a in answers if a.at <= now), key=lambda a: a.at)
    closed = {
        a.item_id.removeprefix(PROMISE_ITEM)
        for a in known
        if a.item_id.startswith(PROMISE_ITEM) and a.answer in (DONE, NEVER)
    }
    made = [p for a in known for p in a.promises if p.promise_id not in closed]
    return sorted(made, key=lambda p: (p.made_at, p.promise_id))
