"""A planned block counts only when it really happened (docs/architecture.md, "Planned blocks").

A block that has ended is *to confirm*, never done by itself. It is *fulfilled* when a done action
of its kind — a verified attended calendar event from any source, or one the user logged — falls on
the block's day or in its period (one action fulfils one block; the block then counts nothing of
its own, so the happening is counted once). The user *confirms* it ("done": an `action.done` with
the block's id; "skip": an `action.skipped`). Still undecided `confirm_after` after it ended (or
after the cut-over to this rule, for older blocks), it is skipped as "not confirmed", so the planner
may plan another chance. Time passing never marks anything done.

Pure: the ledger, the goals, the zone and "now" come in; the events to append go out, each with a
stable key the caller turns into a deterministic event id (replays append nothing).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from uuid import NAMESPACE_URL, uuid5
from zoneinfo import ZoneInfo

from domain.calendars.block_ledger import DONE, FULFILLED, SKIPPED, BlockLedger, DoneAction, PlannedBlock
from domain.errors import DomainError, NotFoundError
from domain.event_types import facts
from domain.event_types.events import Event
from domain.people.contacts import Contact
from domain.tracking.goals import Goal
from domain.tracking.periods import Frame, local_date, local_midnight, period_of

UPCOMING, TO_CONFIRM = "upcoming", "to-confirm"
ANSWER_DONE, ANSWER_SKIP = "done", "skip"
ANSWERS: Final = (ANSWER_DONE, ANSWER_SKIP)
NOT_CONFIRMED, DID_NOT_HAPPEN = "not confirmed", "didn't happen"
# How the user said a block happened, in words ("confirmed on the dashboard").
VIA_WORDS: Final = {
    "link": "with the link",
    "dashboard": "on the dashboard",
    "cli": "with netgoals confirm",
    "api": "through the API",
    "title": "with ✓ in its title",
}
VIAS: Final = frozenset(VIA_WORDS)
CONFIRM_AFTER: Final = timedelta(days=7)
_RESTORED: Final = uuid5(NAMESPACE_URL, "https://netgoals.invalid/restored-confirmation")
# A block's title saying it happened: ✓ (or ✔, ☑) or the word "done" at its start.
_CHECKED = re.compile(r"^\s*(?:[✓✔☑]|done\b)", re.IGNORECASE)

Keyed = tuple[str, Event]  # (key for a deterministic event id, the event)


def title_says_done(title: str) -> bool:
    return bool(_CHECKED.match(title))


def state(block: PlannedBlock, now: datetime) -> str:
    """UPCOMING, TO_CONFIRM, or the block's outcome (DONE, FULFILLED, SKIPPED)."""
    if block.outcome is not None:
        return block.outcome
    return TO_CONFIRM if block.end <= now else UPCOMING


def confirm_by(block: PlannedBlock, rule_since: datetime | None, confirm_after: timedelta) -> datetime:
    """When an undecided block is skipped as not confirmed: a week (by default) after it ended, or
    after the cut-over when it ended before the rule existed."""
    ended = block.end if rule_since is None else max(block.end, rule_since)
    return ended + confirm_after


def waiting(ledger: BlockLedger, now: datetime) -> list[PlannedBlock]:
    """Blocks to confirm, oldest first."""
    found = [b for b in ledger.blocks.values() if state(b, now) == TO_CONFIRM]
    return sorted(found, key=lambda b: (b.end, b.action_id))


def next_due(ledger: BlockLedger, now: datetime, confirm_after: timedelta) -> datetime | None:
    """The next moment time alone changes something: an undecided block ends (it then waits, with
    links) or its week runs out. None: only new events can."""
    rule_since = ledger.rule_since or now
    moments = [
        b.end if b.end > now else confirm_by(b, rule_since, confirm_after)
        for b in ledger.blocks.values()
        if b.outcome is None
    ]
    return min(moments, default=None)


@dataclass(frozen=True, slots=True)
class Context:
    goals: Mapping[str, Goal]
    tz: ZoneInfo
    week_start: int
    now: datetime
    confirm_after: timedelta = CONFIRM_AFTER


def settle(ledger: BlockLedger, context: Context) -> list[Keyed]:
    """What time and evidence decide now: the cut-over (once), fulfilments, and "not confirmed"
    skips. Never a done: only the user's word or another done action makes a block count."""
    decided: list[Keyed] = []
    now = context.now
    rule_since = ledger.rule_since
    if rule_since is None:
        rule_since = now
        decided.append(("confirmation-adopted", facts.confirmation_adopted(now)))
    claimed = set(ledger.fulfilling)
    candidates = _Candidates(ledger, now)
    passed = sorted((b for b in ledger.blocks.values() if b.end <= now), key=lambda b: (b.end, b.action_id))
    settled: set[str] = set()
    # Evidence on a block's own day goes to that block first; then what is left, within periods.
    for same_day_only in (True, False):
        for block in passed:
            confirmed = block.outcome == DONE and block.confirmed_via is not None
            released = block.outcome is None and block.released_by is not None
            if block.action_id in settled or (block.outcome is not None and not confirmed):
                continue
            same_day = same_day_only or confirmed or released  # the user's word names its day
            found = _fulfiller(candidates, block, context, claimed, same_day_only=same_day)
            if found is None:
                continue
            claimed.add(found.action_id)
            settled.add(block.action_id)
            if confirmed:  # the evidence and the user's word are one happening: count it once
                decided.append(_retraction(block, found, now))
            absorbs = block.confirmation if confirmed else block.absorbed if released else None
            decided.append(_fulfilment(block, found, now, absorbs))
    for block in passed:
        if block.action_id in settled or block.outcome is not None:
            continue
        restored = _restoration(ledger, block, now)
        if restored is not None:  # the evidence that stood in for the user's word is gone
            decided.append(restored)
            continue
        if now >= confirm_by(block, rule_since, context.confirm_after):
            decided.append(_skip(block, NOT_CONFIRMED, "netgoals", None, now))
    return decided


class _Candidates:
    """Done actions that may fulfil blocks, by kind and time (a sorted list each, for ranges)."""

    def __init__(self, ledger: BlockLedger, now: datetime) -> None:
        by_kind: dict[str, list[tuple[float, str, DoneAction]]] = {}
        for action in ledger.done.values():
            if action.retracted or action.at > now or action.block_id or action.action_id in ledger.blocks:
                continue  # a block's own completion (or its restored confirmation) fulfils nothing else
            by_kind.setdefault(action.kind, []).append((action.at.timestamp(), action.action_id, action))
        for found in by_kind.values():
            found.sort(key=lambda item: (item[0], item[1]))
        self.by_kind = by_kind

    def between(self, kind: str, start: datetime, end: datetime) -> list[DoneAction]:
        found = self.by_kind.get(kind, [])
        low = bisect_left(found, start.timestamp(), key=lambda item: item[0])
        high = bisect_left(found, end.timestamp(), key=lambda item: item[0])
        return [item[2] for item in found[low:high]]


def _fulfiller(
    candidates: _Candidates,
    block: PlannedBlock,
    context: Context,
    claimed: set[str],
    *,
    same_day_only: bool,
) -> DoneAction | None:
    """The unclaimed done action of the block's kind nearest to it, on its day (or in its period)."""
    tz = context.tz
    day = local_date(block.start, tz)
    first, last = day, day + timedelta(days=1)
    goal = context.goals.get(block.goal_id) if block.goal_id else None
    if goal is not None and not same_day_only:
        frame = Frame.MONTH if goal.frame is Frame.DEADLINE else goal.frame
        period = period_of(day, frame, context.week_start)
        first, last = period.start, period.end
    best: tuple[bool, float, str] | None = None
    chosen = None
    for action in candidates.between(block.kind, local_midnight(first, tz), local_midnight(last, tz)):
        if action.action_id in claimed:
            continue
        on_day = local_date(action.at, tz) == day
        rank = (not on_day, abs((action.at - block.start).total_seconds()), action.action_id)
        if best is None or rank < best:
            best, chosen = rank, action
    return chosen


def _fulfilment(block: PlannedBlock, action: DoneAction, now: datetime, absorbs: str | None) -> Keyed:
    # With `absorbs`, it stands in for the user's confirmation, restored if it goes.
    event = facts.action_fulfilled(
        block.action_id, action.action_id, action.title, action.source, action.at, now, absorbs=absorbs
    )
    return f"{block.action_id}/fulfilled/{action.action_id}", event


def _retraction(block: PlannedBlock, action: DoneAction, now: datetime) -> Keyed:
    reason = f"fulfilled by {action.title or 'a ' + action.kind + ' action'}: counted once"
    confirmation = block.confirmation or block.action_id
    # The block's first confirmation keeps its old key, so logs from before restores replay alike.
    key = f"{block.action_id}/retracted"
    if confirmation != block.action_id:
        key = f"{key}/{confirmation}"
    return key, facts.action_retracted(confirmation, reason, now)


def restored_id(block_id: str, released_by: str) -> str:
    """The id of the done action restoring a block's confirmation once the evidence that absorbed
    it (`released_by`) was retracted: the same for every sweep and every answer, so it counts once."""
    return str(uuid5(_RESTORED, f"{block_id}/{released_by}"))


def _restoration(ledger: BlockLedger, block: PlannedBlock, now: datetime) -> Keyed | None:
    """The user's confirmation again, as a new done action, when the evidence it was merged with
    (one happening, counted once) has been retracted: what they confirmed still happened."""
    if block.released_by is None or block.absorbed is None:
        return None
    word = ledger.done.get(block.absorbed)
    if word is None:
        return None
    event = facts.action_done(
        restored_id(block.action_id, block.released_by),
        block.kind,
        word.at,
        word.contact_ids,
        title=word.title,
        note=None,
        source="confirmed",
        confirmed_via=block.confirmed_via,
        logged_at=now,
        block_id=block.action_id,
    )
    return f"{block.action_id}/restored/{block.released_by}", event


def _skip(block: PlannedBlock, reason: str, by: str, via: str | None, now: datetime) -> Keyed:
    return f"{block.action_id}/skipped", facts.action_skipped(block.action_id, reason, by, now, via=via)


def contacts_for(block: PlannedBlock, goal: Goal | None, named: Sequence[str] = ()) -> tuple[str, ...]:
    """Who a "done" for this block was with: the people the user names, else the block's own (a
    block of a goal with one contact carries it), else — for blocks planned before they carried
    it — the goal's one contact."""
    if named:
        return tuple(sorted(set(named)))
    if block.contact_ids:
        return block.contact_ids
    if goal is not None and len(goal.contact_ids) == 1:
        return goal.contact_ids
    return ()


def needs_whom(block: PlannedBlock, goal: Goal | None, known: Mapping[str, Contact] | None = None) -> bool:
    """Whether "done" alone cannot count for the block's goal: it counts only actions with a
    contact (a new-contact goal, a goal of several named people) and the block names none."""
    return goal is not None and not goal.counts(block.kind, contacts_for(block, goal), known)


def confirm(
    ledger: BlockLedger,
    action_id: str,
    answer: str,
    via: str,
    now: datetime,
    *,
    goal: Goal | None = None,
    contact_ids: Sequence[str] = (),
    known: Mapping[str, Contact] | None = None,
) -> list[Keyed]:
    """The user's answer for one block. The same answer twice decides nothing again; a "done" after
    netgoals skipped it as not confirmed (or after "didn't happen") still counts: their word wins.
    A "done" counts for the goal the block was planned for (`goal`): when that takes a contact the
    block does not name, the answer must say with whom (`contact_ids`), or it is refused."""
    if answer not in ANSWERS:
        raise DomainError(f"answer {answer!r}: say 'done' or 'skip'")
    if via not in VIAS:
        raise DomainError(f"unknown confirmation channel {via!r}")
    block = ledger.blocks.get(action_id)
    if block is None:
        raise NotFoundError(f"no planned block with id {action_id!r}")
    if block.start > now:
        raise DomainError(
            f"“{block.title}” has not started yet ({block.start.isoformat(timespec='minutes')}): "
            "confirm it once it has happened"
        )
    if block.outcome == FULFILLED:
        if answer == ANSWER_DONE:
            return []
        found = ledger.fulfiller(block)
        what = found.title if found and found.title else "another action"
        raise DomainError(f"it was fulfilled by {what}; retract that one if it is wrong")
    if block.outcome == DONE:
        if answer == ANSWER_DONE:
            return []
        raise DomainError("it is already confirmed as done; retract it if that was wrong")
    if block.outcome == SKIPPED:
        if answer == ANSWER_SKIP:
            return []
        if block.reason not in (NOT_CONFIRMED, DID_NOT_HAPPEN):
            raise DomainError(f"it was skipped ({block.reason or 'by you'}) and cannot be confirmed")
    if answer == ANSWER_SKIP:
        return [_skip(block, DID_NOT_HAPPEN, "user", via, now)]
    restored = _restoration(ledger, block, now)
    if restored is not None:  # their word was absorbed, then its evidence retracted: the sweep's fact
        return [restored]
    contacts = contacts_for(block, goal, contact_ids)
    if goal is not None and not goal.counts(block.kind, contacts, known):
        wanted = "a new contact" if goal.new_contacts_only and not goal.contact_ids else "one of its contacts"
        if goal.contact_kind is not None:
            wanted += f" at a {goal.contact_kind}"
        raise DomainError(
            f"with whom? “{goal.title}” counts {wanted}: name who it was with (a contact; add someone "
            "new as a contact first)"
        )
    event = facts.action_done(
        block.action_id,
        block.kind,
        block.start,
        contacts,
        title=block.title or None,
        note=None,
        source="confirmed",
        confirmed_via=via,
        logged_at=now,
    )
    return [(f"{block.action_id}/done", event)]
