"""The block ledger as a projection: `domain/calendars/block_ledger.py` is the rule (a fold of one person's
actions stream); this keeps its result in `v_block_ledger`, so a reader reads one person's rows
instead of folding their whole stream (invariant 5 in docs/architecture.md, like the others).

A row is a planned block, a done action (what can fulfil a block, with the block it fulfils) or the
person's confirmation rule. A batch is applied the fold's own way: the rows its events can touch are
read into a partial `BlockLedger` — every id the events name, then the blocks those done actions
point to — the events are applied with `BlockLedger.apply`, and the rows that changed are written.
Every handler of the fold reaches only those ids, so the rows equal the fold over the whole stream
(tests/integration/test_block_ledger_view.py checks it on random streams).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, delete, select

from domain.calendars.block_ledger import BlockLedger, DoneAction, PlannedBlock
from domain.event_types import events as ev
from integrations.storage.database import is_sqlite
from integrations.storage.event_store import RawRow, decoded
from integrations.storage.schema import v_block_ledger

BLOCK, DONE, RULE = "block", "done", "rule"
# The types the fold reads (domain/calendars/block_ledger.py's handlers); every other event passes untouched.
TYPES = frozenset(
    {
        ev.ACTION_PLANNED,
        ev.ACTION_RESCHEDULED,
        ev.ACTION_SKIPPED,
        ev.ACTION_DONE,
        ev.ACTION_RETRACTED,
        ev.ACTION_FULFILLED,
        ev.CONFIRMATION_ADOPTED,
    }
)
_Key = tuple[str, str]  # (item, item_id)


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _as_dict(item: PlannedBlock | DoneAction) -> dict[str, Any]:
    return {f.name: _plain(getattr(item, f.name)) for f in dataclasses.fields(item)}


_TIMES = frozenset({"start", "end", "at"})
_TUPLES = frozenset({"contact_ids"})


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        k: datetime.fromisoformat(v) if k in _TIMES else tuple(v) if k in _TUPLES else v
        for k, v in data.items()
        if k != "fulfils"
    }


def _rows(ledger: BlockLedger) -> dict[_Key, str]:
    """The ledger as rows: (item, id) -> data."""
    fulfils = ledger.fulfilling
    found = {(BLOCK, b.action_id): _json(_as_dict(b)) for b in ledger.blocks.values()}
    for action in ledger.done.values():
        found[(DONE, action.action_id)] = _json(
            {**_as_dict(action), "fulfils": fulfils.get(action.action_id)}
        )
    if ledger.rule_since is not None:
        found[(RULE, "")] = _json({"rule_since": ledger.rule_since.isoformat()})
    return found


def _into(ledger: BlockLedger, item: str, item_id: str, data: dict[str, Any]) -> None:
    if item == BLOCK:
        ledger.blocks[item_id] = PlannedBlock(**_fields(data))
    elif item == DONE:
        ledger.done[item_id] = DoneAction(**_fields(data))
        if data.get("fulfils") is not None:
            ledger.fulfilling[item_id] = data["fulfils"]
    else:
        ledger.rule_since = datetime.fromisoformat(data["rule_since"])


# Read for every decision (what waits for an answer): built once (issue 26).
_LEDGER = (
    select(v_block_ledger.c.item, v_block_ledger.c.item_id, v_block_ledger.c.data)
    .where(v_block_ledger.c.user_id == bindparam("user_id"))
    .order_by(v_block_ledger.c.item_id)
)
# By the key's second column: the done rows are never read.
_LEDGER_OPEN = (
    select(v_block_ledger.c.item, v_block_ledger.c.item_id, v_block_ledger.c.data)
    .where(v_block_ledger.c.user_id == bindparam("user_id"), v_block_ledger.c.item.in_([BLOCK, RULE]))
    .order_by(v_block_ledger.c.item_id)
)


def read(connection: Connection, user_id: str, *, with_done: bool = True) -> BlockLedger:
    """One person's ledger as the projection holds it (without the done actions when only the
    blocks and the rule are wanted: what waits for an answer)."""
    query = _LEDGER if with_done else _LEDGER_OPEN
    ledger = BlockLedger()
    for item, item_id, data in connection.execute(query, {"user_id": user_id}):
        _into(ledger, item, item_id, orjson.loads(data))
    return ledger


def apply(connection: Connection, rows: list[RawRow]) -> None:
    """A batch of the log, applied per person (the projection runner's `apply`)."""
    mine = [row for row in rows if row[2] in TYPES]
    if not mine:
        return
    by_user: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for stream_id, event_type, data in decoded(mine):
        kind, _, owner = stream_id.partition("-")
        if kind == "actions":  # the fold reads the actions stream only
            by_user.setdefault(owner, []).append((event_type, data))
    for user_id, items in by_user.items():
        _apply_user(connection, user_id, items)


def _named(items: list[tuple[str, dict[str, Any]]]) -> tuple[set[str], bool]:
    """The ids these events name, and whether one adopts the confirmation rule."""
    ids: set[str] = set()
    adopted = False
    for event_type, data in items:
        if event_type == ev.CONFIRMATION_ADOPTED:
            adopted = True
            continue
        ids.add(data["action_id"])
        if event_type == ev.ACTION_FULFILLED:
            ids.add(data["by"])
        elif event_type == ev.ACTION_DONE and data.get("block_id"):
            ids.add(data["block_id"])
    return ids, adopted


def _load(connection: Connection, user_id: str, ids: set[str], rule: bool) -> dict[_Key, str]:
    """The rows of these ids (blocks and done actions), the rule if asked, and the blocks the done
    actions found point to (a retraction reaches them)."""
    table = v_block_ledger.c
    columns = (table.item, table.item_id, table.data)
    found: dict[_Key, str] = {}
    # Every column of the key constrained, so the read costs the same whatever the person's history
    # (invariant 10); the rule's row is the one with the empty id.
    items, named = ([BLOCK, DONE, RULE], [*sorted(ids), ""]) if rule else ([BLOCK, DONE], sorted(ids))
    query = select(*columns).where(table.user_id == user_id, table.item.in_(items), table.item_id.in_(named))
    for item, item_id, data in connection.execute(query):
        found[(item, item_id)] = data
    pointed: set[str] = set()
    for (item, _id), data in found.items():
        if item == DONE:
            done = orjson.loads(data)
            pointed.update(b for b in (done.get("block_id"), done.get("fulfils")) if b)
    pointed -= ids
    if pointed:
        query = select(*columns).where(
            table.user_id == user_id, table.item == BLOCK, table.item_id.in_(sorted(pointed))
        )
        for item, item_id, data in connection.execute(query):
            found[(item, item_id)] = data
    return found


def _apply_user(connection: Connection, user_id: str, items: list[tuple[str, dict[str, Any]]]) -> None:
    ids, adopted = _named(items)
    before = _load(connection, user_id, ids, adopted)
    ledger = BlockLedger()
    for (item, item_id), data in before.items():
        _into(ledger, item, item_id, orjson.loads(data))
    ledger.apply_all(items)
    after = _rows(ledger)
    changed = [
        {"user_id": user_id, "item": item, "item_id": item_id, "data": data}
        for (item, item_id), data in after.items()
        if before.get((item, item_id)) != data
    ]
    _upsert(connection, changed)


def _upsert(connection: Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    # Imported here: the PostgreSQL dialect module alone costs a command 40 ms of start-up.
    if is_sqlite(connection):
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(v_block_ledger)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["user_id", "item", "item_id"], set_={"data": statement.excluded.data}
            ),
            rows,
        )
    else:
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        pg_statement = pg_insert(v_block_ledger)
        connection.execute(
            pg_statement.on_conflict_do_update(
                index_elements=["user_id", "item", "item_id"], set_={"data": pg_statement.excluded.data}
            ),
            rows,
        )


def write(connection: Connection, ledgers: Iterable[tuple[str, BlockLedger]]) -> int:
    """A rebuild: every person's folded ledger, into an emptied table; returns the rows written."""
    connection.execute(delete(v_block_ledger))
    rows = [
        {"user_id": user_id, "item": item, "item_id": item_id, "data": data}
        for user_id, ledger in ledgers
        for (item, item_id), data in _rows(ledger).items()
    ]
    if rows:
        connection.execute(v_block_ledger.insert(), rows)
    return len(rows)
