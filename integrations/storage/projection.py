"""Projections of the log, kept exactly once (invariant 5 in docs/architecture.md).

Three projections, run in this order:
- the action index (`v_actions`): every action with its kind, time, contacts and whether it was
  retracted — an index of the log that the progress projection queries by goal and period;
- progress: users, aspirations, goals, contacts with their interactions, and done-per-period counts;
- the block ledger (`v_block_ledger`, `block_ledger_view`): each person's planned blocks and what
  can fulfil them, `domain/calendars/block_ledger.py` folded over their actions stream.

Incremental: each batch of new events updates a projection's views and its checkpoint in one
transaction; the checkpoint row is locked first, so two processes catching up never apply a batch
twice. Progress never runs ahead of the action index it reads.
Per user (PostgreSQL): a write catches up its own user's events, both projections in one
transaction holding only that user's rows (`user_positions`), so writers for different people never
queue on the checkpoint row; the whole-log catch-up (the workers' sweep, the CLI) moves the
checkpoint, a low-water mark, skipping what a user's own catch-ups already applied. On SQLite
writers are serial anyway, so a write's catch-up is the whole-log one.
Rebuild: fold the log in memory (`domain.event_types.fold`) and write the views anew; on SQLite the action
index is derived by SQLite itself meanwhile (`sqlite_action_index`).
A projection never wedges (docs/architecture.md): an event it cannot apply is quarantined
(`quarantine`), the checkpoint goes past it and the rest is applied, incrementally and in a rebuild.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, func, select

from domain.event_types import events as ev
from domain.event_types.events import user_of_stream
from domain.event_types.fold import LogFold
from integrations.storage import (
    action_index,
    block_ledger_view,
    checkpoints,
    progress_views,
    quarantine,
    sqlite_action_index,
    unit_of_work,
    user_positions,
)
from integrations.storage.database import empty_table, is_sqlite, read_transaction, write_transaction
from integrations.storage.event_store import EventStore, RawRow, fold_rows
from integrations.storage.schema import events, v_actions, v_block_ledger

ProgressCallback = Callable[[int, int], None]  # (events folded so far, events in all)
_Apply = Callable[[Connection, list[RawRow]], None]

ACTIONS, PROGRESS, BLOCKS = "actions", "progress", "blocks"
PROJECTIONS = (ACTIONS, PROGRESS, BLOCKS)  # in the order they run
# Each with how it applies a batch; a batch of each in one transaction (`_step`).
_APPLIERS: tuple[tuple[str, _Apply], ...] = (
    (ACTIONS, action_index.apply),
    (PROGRESS, progress_views.apply),
    (BLOCKS, block_ledger_view.apply),
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class _ApplyError(Exception):
    """Applying a batch raised for one of its events (not for the database's sake)."""


class Projections:
    def __init__(
        self, engine: Engine, store: EventStore | None = None, clock: Callable[[], datetime] = _utcnow
    ) -> None:
        self.engine = engine
        self.store = store or EventStore(engine)
        self._clock = clock  # when an event was quarantined

    def position(self, name: str = PROGRESS) -> int:
        with read_transaction(self.engine) as connection:
            return checkpoints.position(connection, name)

    def catch_up(
        self,
        user_id: str | None = None,
        batch_size: int = 2000,
        *,
        behind: bool = False,
        budget_seconds: float | None = None,
    ) -> int:
        """Apply every new event to the action index, then to progress and the block ledger;
        returns events applied.
        With a user: that user's new events (what a write or a read of their data needs).
        `behind`: the caller has just appended, so the "anything new?" query is skipped.
        `budget_seconds`: no batch starts after it (one always does); the rest waits for the next
        catch-up (a worker's sweep, which Celery's threads pool does not time out)."""
        memo = unit_of_work.memo(self.engine)
        if memo is not None and (("caught-up", user_id) in memo or ("caught-up", None) in memo):
            return 0  # this unit of work caught up already and has not written since
        scope = user_id if user_id is not None and not is_sqlite(self.engine) else None
        applied = 0
        stop_at = time.monotonic() + budget_seconds if budget_seconds is not None else None
        at_head = True
        if behind or not self._at_head(scope):
            while True:
                try:
                    done, more = self._step(scope, batch_size, one_by_one=False)
                except _ApplyError:
                    # The step's transaction is rolled back whole (on PostgreSQL a failed statement
                    # poisons it), so the common case pays no SAVEPOINT: only now, in a new
                    # transaction, the same batches again, each event in a savepoint of its own.
                    done, more = self._step(scope, batch_size, one_by_one=True)
                applied += done
                if not more:
                    break
                if stop_at is not None and time.monotonic() >= stop_at:
                    at_head = False
                    break
        if memo is not None and at_head:
            memo[("caught-up", user_id)] = True  # (a write would have emptied the memo)
        return applied

    def _at_head(self, scope: str | None) -> bool:
        """The common case, answered in one query (PostgreSQL: one round trip)."""
        with read_transaction(self.engine) as connection:
            if scope is None:
                return checkpoints.all_at_head(connection, PROJECTIONS)
            return user_positions.at_head(connection, scope, PROJECTIONS)

    def _step(self, scope: str | None, size: int, *, one_by_one: bool) -> tuple[int, bool]:
        """One batch of each projection in one transaction: the action index, then progress up to
        where the index now stands, then the block ledger up to where progress stands. `scope`
        None: the whole log, holding the checkpoint rows (and the rows of the batch's users,
        skipping what their own catch-ups applied); a user: that user's events, holding only that
        user's rows. Returns events applied and whether more wait."""
        done, more = 0, False
        with write_transaction(self.engine) as connection:
            stands = user_positions.lock_user(connection, scope, PROJECTIONS) if scope is not None else {}
            bound: int | None = None  # the action index may go to the head
            before: tuple[int, list[RawRow]] | None = None  # the previous projection's start, rows
            moved: dict[int, list[str]] = {}  # position -> the projections that reached it
            for name, apply in _APPLIERS:
                start = stands[name] if scope is not None else checkpoints.lock(connection, name)
                if before is not None and before[0] == start:
                    rows = before[1]  # from where the one before started, up to where it stopped
                else:
                    rows = EventStore.raw_rows(connection, start, size, bound, user_id=scope)
                before = start, rows
                if rows:
                    todo = rows if scope is not None else self._not_applied_yet(connection, name, rows)
                    self._apply(connection, name, apply, todo, one_by_one)
                    moved.setdefault(rows[-1][0], []).append(name)
                done += len(rows)
                more = more or len(rows) == size
                bound = rows[-1][0] if rows else start  # each stops where the one before it did
            for to, names in moved.items():  # one statement for the projections that reached `to`
                if scope is not None:
                    user_positions.advance(connection, scope, names, to)
                else:
                    checkpoints.advance(connection, names, to)
        return done, more

    @staticmethod
    def _not_applied_yet(connection: Connection, name: str, rows: list[RawRow]) -> list[RawRow]:
        """A whole-log batch without what users' own catch-ups applied, those users' rows locked
        (PostgreSQL; on SQLite every catch-up is the whole-log one)."""
        if is_sqlite(connection):
            return rows
        owners = [user_of_stream(row[1]) for row in rows]
        ahead = user_positions.lock_users(connection, name, (o for o in owners if o is not None))
        return [
            row
            for row, owner in zip(rows, owners, strict=True)
            if owner is None or row[0] > ahead.get(owner, 0)
        ]

    def _apply(
        self, connection: Connection, name: str, apply: _Apply, rows: list[RawRow], one_by_one: bool
    ) -> None:
        if not rows:
            return
        if one_by_one:
            self._apply_each(connection, name, apply, rows)
            return
        try:
            apply(connection, rows)
        except Exception as exc:
            if quarantine.transient(exc):
                raise
            raise _ApplyError from exc  # an event's fault: the transaction rolls back

    def _apply_guarded(self, connection: Connection, name: str, apply: _Apply, rows: list[RawRow]) -> None:
        """The batch in a savepoint; if it fails, event by event (inside a rebuild's transaction)."""
        try:
            with connection.begin_nested():
                apply(connection, rows)
        except Exception as exc:
            if quarantine.transient(exc):
                raise
            self._apply_each(connection, name, apply, rows)

    def _apply_each(self, connection: Connection, name: str, apply: _Apply, rows: list[RawRow]) -> None:
        """Each event as a batch of its own in its own savepoint: one that fails is rolled back alone
        and quarantined, the others are applied. The projections give the same views whatever the
        batches (tests/integration/test_projection_properties.py), so this equals the whole batch
        applied without the failing events."""
        for row in rows:
            try:
                with connection.begin_nested():
                    apply(connection, [row])
            except Exception as exc:
                if quarantine.transient(exc):
                    raise
                quarantine.record(
                    connection, name, row[0], quarantine.describe(exc), self._clock().isoformat()
                )

    def quarantined(self, limit: int | None = None) -> list[quarantine.Quarantined]:
        with read_transaction(self.engine) as connection:
            return quarantine.listed(connection, limit)

    def rebuild(self, on_progress: ProgressCallback | None = None, chunk: int = 20000) -> int:
        """Every projection from one read of the log: fold it once, then write the action index,
        the progress views and the block ledger and reset the checkpoints in one transaction;
        returns events folded.
        A log with an event that cannot be applied is rebuilt event by event (`_rebuild_guarded`)."""
        try:
            if sqlite_action_index.available(self.engine):
                return self._rebuild_beside_sqlite(on_progress, chunk)
            fold, last, folded = self._fold(on_progress, chunk)
            with _gc_paused(), write_transaction(self.engine) as connection:
                _hold_for_rebuild(connection, PROJECTIONS)
                action_index.write(connection, action_index.rows(fold))
                self._write_progress(connection, progress_views.rows(fold))
                _write_blocks(connection, fold)
                quarantine.clear(connection, PROJECTIONS)
                head = self._apply_tail(connection, _APPLIERS, last, chunk)
                for name in PROJECTIONS:
                    checkpoints.reset(connection, name, head)
            return folded
        except Exception as exc:
            if quarantine.transient(exc):
                raise
            return self._rebuild_guarded(_APPLIERS, chunk)

    def _apply_tail(
        self, connection: Connection, projections: tuple[tuple[str, _Apply], ...], last: int, chunk: int
    ) -> int:
        """What was appended between the fold and the rebuild's locks, applied in its transaction;
        returns the head it reached. Without it the rebuilt views lacked those events until the next
        catch-up: a person's own action, logged and caught up a moment before, vanished from the
        index (a retract right after it answered "no action with id"). Appends are serialised
        (invariant 4), so every event up to the head read here has committed."""
        head = int(connection.scalar(select(func.max(events.c.position))) or 0)
        position = last
        while rows := EventStore.raw_rows(connection, position, chunk, head):
            for name, apply in projections:
                self._apply_guarded(connection, name, apply, rows)
            position = rows[-1][0]
        return max(head, last)

    def _rebuild_guarded(self, projections: tuple[tuple[str, _Apply], ...], chunk: int) -> int:
        """The fast rebuild failed on some event (the fold, or a view's constraint): the incremental
        way from an empty start, in one transaction, each batch in a savepoint and a failing batch
        event by event, so exactly the events that cannot be applied are quarantined. Slower than
        the fold, and only ever run for a log that holds such an event."""
        folded = 0
        with write_transaction(self.engine) as connection:
            head = int(connection.scalar(select(func.max(events.c.position))) or 0)
            names = tuple(name for name, _ in projections)
            _hold_for_rebuild(connection, names)
            quarantine.clear(connection, names)
            for name, apply in projections:
                if name == ACTIONS:
                    empty_table(connection, v_actions.name)
                elif name == BLOCKS:
                    empty_table(connection, v_block_ledger.name)
                else:
                    for table in progress_views.TABLES:
                        empty_table(connection, table.name)
                last = folded = 0
                while rows := EventStore.raw_rows(connection, last, chunk, head):
                    self._apply_guarded(connection, name, apply, rows)
                    last = rows[-1][0]
                    folded += len(rows)
                checkpoints.reset(connection, name, head)
        return folded

    def _rebuild_beside_sqlite(self, on_progress: ProgressCallback | None, chunk: int) -> int:
        """SQLite derives the action index from the log on another thread (its C code releases the
        GIL) while this one folds the log for progress. The write transaction comes first: it holds
        SQLite's one writer lock, so the fold, on a second connection, reads the same log."""
        with _gc_paused(), write_transaction(self.engine) as connection:
            _hold_for_rebuild(connection, PROJECTIONS)
            head = int(connection.scalar(select(func.max(events.c.position))) or 0)
            with ThreadPoolExecutor(1, thread_name_prefix="action-index") as pool:
                derived = pool.submit(sqlite_action_index.derive, connection, head)
                try:
                    fold, _, folded = self._fold(on_progress, chunk, until=head)
                    progress = progress_views.rows(fold)
                    retracted = action_index.retracted(fold)
                except BaseException:  # a log the fold cannot read, or Ctrl-C: stop SQLite at once
                    sqlite_action_index.interrupt(connection)
                    raise
                written = derived.result()
            if written is None:  # an action event needs an upcaster: the index the Python way
                action_index.write(connection, action_index.rows(fold))
            else:
                action_index.mark_retracted(connection, retracted)
            self._write_progress(connection, progress)
            _write_blocks(connection, fold)
            for name in PROJECTIONS:
                checkpoints.reset(connection, name, head)
            quarantine.clear(connection, PROJECTIONS)
        return folded

    def rebuild_progress(self, on_progress: ProgressCallback | None = None, chunk: int = 20000) -> int:
        """Empty the progress views, fold the whole log, write the views, reset the checkpoint."""
        try:
            fold, last, folded = self._fold(on_progress, chunk, blocks=False)
            with _gc_paused(), write_transaction(self.engine) as connection:
                _hold_for_rebuild(connection, (PROGRESS,))
                self._write_progress(connection, progress_views.rows(fold))
                quarantine.clear(connection, (PROGRESS,))
                head = self._apply_tail(connection, ((PROGRESS, progress_views.apply),), last, chunk)
                checkpoints.reset(connection, PROGRESS, head)
            return folded
        except Exception as exc:
            if quarantine.transient(exc):
                raise
            return self._rebuild_guarded(((PROGRESS, progress_views.apply),), chunk)

    def rebuild_action_index(self, chunk: int = 20000) -> int:
        """Empty the action index and fill it from the log's action events."""
        try:
            fold, last, _ = self._fold(None, chunk, ev.ACTION_EVENT_TYPES, blocks=False)
            with _gc_paused(), write_transaction(self.engine) as connection:
                _hold_for_rebuild(connection, (ACTIONS,))
                written = action_index.write(connection, action_index.rows(fold))
                quarantine.clear(connection, (ACTIONS,))
                head = self._apply_tail(connection, ((ACTIONS, action_index.apply),), last, chunk)
                checkpoints.reset(connection, ACTIONS, head)
            return written
        except Exception as exc:
            if quarantine.transient(exc):
                raise
            self._rebuild_guarded(((ACTIONS, action_index.apply),), chunk)
            with read_transaction(self.engine) as connection:
                return int(connection.scalar(select(func.count()).select_from(v_actions)) or 0)

    def _fold(
        self,
        on_progress: ProgressCallback | None,
        chunk: int,
        types: frozenset[str] | None = None,
        until: int | None = None,
        *,
        blocks: bool = True,
    ) -> tuple[LogFold, int, int]:
        """The log (or its events of `types`) folded in memory, up to `until` or else the head it
        had when the read began; returns the fold, that head and how many events were folded."""
        fold = LogFold(blocks=blocks)
        folded = 0
        with _gc_paused(), read_transaction(self.engine) as connection:
            head = (
                until
                if until is not None
                else int(connection.scalar(select(func.max(events.c.position))) or 0)
            )
            last = 0
            while rows := EventStore.raw_rows(connection, last, chunk, head, types=types):
                fold_rows(rows, fold)
                last = rows[-1][0]
                folded += len(rows)
                if on_progress is not None:
                    on_progress(folded, head)  # positions count events, so the head is about the total
        return fold, head, folded

    @staticmethod
    def _write_progress(connection: Connection, rows: progress_views.ViewRows) -> None:
        for table in progress_views.TABLES:
            empty_table(connection, table.name)
        progress_views.write(connection, rows)


def _write_blocks(connection: Connection, fold: LogFold) -> None:
    """Each person's block ledger, folded with the rest of the log (`domain/event_types/fold.py`)."""
    block_ledger_view.write(connection, ((user_id, f.blocks) for user_id, f in fold.users.items()))


def _hold_for_rebuild(connection: Connection, names: tuple[str, ...]) -> None:
    """First thing in a rebuild's transaction, in the lock order of `user_positions`: the
    checkpoints, then every user's positions, which the rebuild's reset makes moot."""
    for name in names:
        checkpoints.lock(connection, name)
    user_positions.clear(connection, names)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """A rebuild allocates millions of small objects that all stay alive until it ends; the cyclic
    collector would rescan them again and again (measured: it triples the decode time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
