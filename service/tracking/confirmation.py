"""Use cases: what waits for confirmation, the user's answer for one block, and the sweep that lets
evidence and time decide what they may (fulfilments, "not confirmed" skips — never a done).

Decisions come from the log (`domain.calendars.block_ledger` folds the user's actions stream, kept as a
projection: `integrations/storage/block_ledger_view.py`; the pure rules in `domain.calendars.confirmation`
decide); the calendar outbox then follows the decided state, in the same transaction, so Google
shows "✓" and what fulfilled a block, and the next push carries it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from sqlalchemy import Connection

from domain.calendars import confirmation as rules
from domain.calendars.block_ledger import DONE, FULFILLED, SKIPPED, BlockLedger, PlannedBlock
from domain.decisions.profile import Profile
from domain.errors import DomainError, NotFoundError
from domain.event_types.events import NewEvent, actions_stream, profile_stream
from integrations.storage import block_ledger_view, block_sweeps
from integrations.storage import calendar_store as store
from integrations.storage.database import read_transaction, write_transaction
from integrations.storage.event_store import StreamAppend
from service.app import App
from service.read_models.lookup import resolve
from service.tracking.confirm_links import LINK_LIFETIME

_NAMESPACE = uuid5(NAMESPACE_URL, "https://netgoals.invalid/block-confirmation")
CHECK = "✓ "


def _event_id(user_id: str, key: str) -> UUID:
    return uuid5(_NAMESPACE, f"{user_id}/{key}")


def ledger(app: App, user_id: str, *, with_done: bool = True) -> BlockLedger:
    """The user's blocks as the log tells them: the block ledger's projection, caught up for them
    (without the done actions when only what waits for an answer is wanted)."""
    app.projection.catch_up(user_id)
    with read_transaction(app.engine) as connection:
        return block_ledger_view.read(connection, user_id, with_done=with_done)


@dataclass(frozen=True, slots=True)
class Waiting:
    """A block that has passed and waits for the user's word."""

    action_id: str
    title: str
    kind: str
    start: datetime
    end: datetime
    skipped_after: datetime  # unconfirmed until then, it is skipped as "not confirmed"
    # When "done" must say with whom to count for its goal: the people to choose from (id, name).
    whom: tuple[tuple[str, str], ...] = ()
    asks_whom: bool = False


_WHOM_CHOICES = 50  # the newest contacts: a new contact was most likely added lately


def whom_choices(profile: Profile, block: PlannedBlock) -> tuple[tuple[str, str], ...]:
    """The people a "done" for this block may name when it must name someone (else none)."""
    goal = profile.goals.get(block.goal_id) if block.goal_id else None
    if not rules.needs_whom(block, goal, profile.contacts):
        return ()
    assert goal is not None
    ids = list(goal.contact_ids) or list(reversed(profile.contacts))
    return tuple((c, profile.contacts[c].name) for c in goal.eligible(ids, profile.contacts))[:_WHOM_CHOICES]


def waiting(
    app: App, user_id: str, confirm_after_days: int = 7, profile: Profile | None = None
) -> list[Waiting]:
    profile = profile or app.profile(user_id)
    found = ledger(app, user_id, with_done=False)
    now = app.now()
    after = timedelta(days=confirm_after_days)
    return [
        Waiting(
            b.action_id,
            b.title,
            b.kind,
            b.start.astimezone(profile.tz),
            b.end.astimezone(profile.tz),
            rules.confirm_by(b, found.rule_since or now, after).astimezone(profile.tz),
            whom_choices(profile, b),
            rules.needs_whom(b, profile.goals.get(b.goal_id) if b.goal_id else None, profile.contacts),
        )
        for b in rules.waiting(found, now)
    ]


@dataclass(frozen=True, slots=True)
class Answered:
    action_id: str
    title: str
    state: str  # done, fulfilled, skipped
    changed: bool  # False: it was already so (a second click)
    counts_for: str | None = None  # the title of the goal a "done" counts for


def resolve_block(app: App, user_id: str, text: str) -> str:
    return resolve(text, ((b.action_id, "") for b in ledger(app, user_id).blocks.values()), "planned block")


def confirm(
    app: App,
    user_id: str,
    action_id: str,
    answer: str,
    via: str,
    contact_ids: Sequence[str] = (),
    profile: Profile | None = None,
) -> Answered:
    """The user's answer ("done" or "skip") for one block, with whom it was (optional, unless the
    block's goal needs a contact it does not name); DomainError when it cannot be given. A sync
    passes the profile it read (it replays it once)."""
    profile = profile or app.profile(user_id)  # NotFoundError for an unknown user
    unknown = [c for c in contact_ids if c not in profile.contacts]
    if unknown:
        raise DomainError(f"no contact with id {unknown[0]!r}")
    found = ledger(app, user_id)
    planned = found.blocks.get(action_id)
    goal = profile.goals.get(planned.goal_id) if planned is not None and planned.goal_id else None
    decided = rules.confirm(
        found, action_id, answer, via, app.now(), goal=goal, contact_ids=contact_ids, known=profile.contacts
    )
    _commit(app, user_id, found, decided, profile)
    block = found.blocks[action_id]
    state = rules.state(block, app.now())
    counts_for = goal.title if goal is not None and state == DONE else None
    return Answered(action_id, block.title, state, bool(decided), counts_for)


def sweep(
    app: App,
    user_id: str,
    confirm_after_days: int = 7,
    *,
    planning: bool = False,
    profile: Profile | None = None,
) -> list[NewEvent]:
    """Let evidence and time decide: fulfilments and "not confirmed" skips; and give blocks that
    have just passed their Done / Didn't happen links. Returns what was appended. A user without
    blocks needs nothing — unless blocks are about to be planned (`planning`, a sync): then the
    cut-over to the confirmation rule is recorded first, so no block ever predates it. What it
    decides, the outbox rows it brings in line and the sweep it remembers commit together."""
    now = app.now()
    seen = _log_state(app, user_id, confirm_after_days)
    with read_transaction(app.engine) as connection:
        last = block_sweeps.last_sweep(connection, user_id)
    if last is not None and last[0] == seen and (last[1] is None or now.timestamp() < last[1]):
        return []  # nothing new in the log, no deadline crossed: it would decide nothing
    profile = profile or app.profile(user_id)
    found = ledger(app, user_id)
    after = timedelta(days=confirm_after_days)
    decided: list[rules.Keyed] = []
    settles = bool(found.blocks or (found.rule_since is None and planning))
    if settles:
        context = rules.Context(profile.goals, profile.tz, profile.week_start, now, after)
        decided = rules.settle(found, context)
    # The versions from before the fold: anything appended since (ours too) gets a full sweep.
    # (`_commit` applies what was decided to the ledger first, so `due` is after it.)
    return _commit(
        app,
        user_id,
        found,
        decided,
        profile,
        remember=lambda connection: block_sweeps.remember_sweep(
            connection, user_id, seen, _timestamp(rules.next_due(found, now, after))
        ),
        outbox=settles,
    )


def _timestamp(at: datetime | None) -> float | None:
    return at.timestamp() if at is not None else None


def _log_state(app: App, user_id: str, confirm_after_days: int) -> str:
    """What a sweep's decisions depend on besides the clock: both streams' versions, the setting."""
    actions = app.store.stream_version(actions_stream(user_id))
    profile = app.store.stream_version(profile_stream(user_id))
    return f"{actions}/{profile}/{confirm_after_days}"


def _commit(
    app: App,
    user_id: str,
    found: BlockLedger,
    decided: list[rules.Keyed],
    profile: Profile | None = None,
    *,
    remember: Callable[[Connection], None] | None = None,
    outbox: bool = True,
) -> list[NewEvent]:
    """Append what was decided and bring the outbox rows in line with the ledger, together (and
    what the sweep remembers, when it is one)."""
    events = [NewEvent(_event_id(user_id, key), e.type, e.data) for key, e in decided]
    for event in events:
        found.apply(event.type, event.data)
    profile = profile or app.profile(user_id)
    now = app.now()
    with write_transaction(app.engine) as connection:
        for row in store.outbox_rows(connection, user_id) if outbox else ():
            block = found.blocks.get(row["action_id"])
            values = _row_values(row, block, found, profile, now) if block is not None else {}
            if values:
                store.change_outbox(connection, user_id, row["action_id"], push=True, **values)
        if events:
            app.store.append_in(connection, StreamAppend(actions_stream(user_id), None, events))
        if remember is not None:
            remember(connection)
    if events:
        app.projection.catch_up(user_id, behind=True)
    return events


def _row_values(
    row: dict[str, Any], block: PlannedBlock, found: BlockLedger, profile: Profile, now: datetime
) -> dict[str, Any]:
    """What the block's row must say now that the ledger decided it (only what differs)."""
    state = rules.state(block, now)
    title = row["title"]
    wanted: dict[str, Any]
    if state == rules.UPCOMING or (state == DONE and block.confirmed_via is None):
        return {}  # the planner's business; a completion under the old rule stays as it was
    if state == rules.TO_CONFIRM:
        if not row["present"]:
            return {}
        wanted = {"status": "planned", "note": None}
        if row["links_until"] is None:
            wanted["links_until"] = (now + LINK_LIFETIME).timestamp()
        title = title.removeprefix(CHECK)
    elif state in (DONE, FULFILLED):
        wanted = {"status": "done", "note": _note(block, found, profile)}
        title = title if title.startswith(CHECK) else CHECK + title
    elif state == SKIPPED and block.reason in (rules.NOT_CONFIRMED, rules.DID_NOT_HAPPEN):
        wanted = {"status": "skipped", "note": _note(block, found, profile)}
        title = title.removeprefix(CHECK)
    else:
        return {}
    wanted["title"] = title
    return {k: v for k, v in wanted.items() if row.get(k) != v}


def _note(block: PlannedBlock, found: BlockLedger, profile: Profile) -> str:
    if block.outcome == FULFILLED:
        action = found.fulfiller(block)
        if action is not None:
            when = action.at.astimezone(profile.tz).strftime("%a %d %b %H:%M")
            what = action.title or f"a {action.kind} action"
            return f"Fulfilled by {what} ({when}): counted once, from there."
    if block.outcome == DONE:
        return f"Done: you confirmed it ({_VIA.get(block.confirmed_via or '', 'confirmed')})."
    if block.reason == rules.DID_NOT_HAPPEN:
        return "Skipped: you said it didn't happen. netgoals plans another chance while the period lasts."
    return "Skipped: not confirmed within a week. netgoals plans another chance while the period lasts."


_VIA = rules.VIA_WORDS


@dataclass(frozen=True, slots=True)
class BlockView:
    """One block as a confirmation page shows it (times in the user's zone)."""

    action_id: str
    title: str
    start: datetime
    end: datetime
    state: str  # upcoming, to-confirm, done, fulfilled, skipped
    fulfilled_by: str | None = None
    whom: tuple[tuple[str, str], ...] = ()  # when "done" must say with whom: who to choose from
    counts_for: str | None = None  # the goal it was planned for


def block(app: App, user_id: str, action_id: str) -> BlockView:
    """A user's own block; NotFoundError for anyone else's."""
    profile = app.profile(user_id)
    tz = profile.tz
    found = ledger(app, user_id)
    planned = found.blocks.get(action_id)
    if planned is None:
        raise NotFoundError(f"no planned block with id {action_id!r}")
    fulfiller = found.fulfiller(planned)
    goal = profile.goals.get(planned.goal_id) if planned.goal_id else None
    return BlockView(
        action_id,
        planned.title,
        planned.start.astimezone(tz),
        planned.end.astimezone(tz),
        rules.state(planned, app.now()),
        (fulfiller.title or fulfiller.kind) if fulfiller else None,
        whom_choices(profile, planned),
        goal.title if goal is not None else None,
    )
