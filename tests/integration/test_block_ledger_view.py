"""The block ledger's projection equals the rule it keeps: for random streams of block events,
appended and caught up in random batches, what the projection reads is `domain/calendars/block_ledger.py`
folded over the whole actions stream; a rebuild writes the same rows; and `netgoals rebuild`'s
path restores a projection that was lost."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, select

from domain.calendars.block_ledger import BlockLedger
from domain.event_types import events as ev
from domain.event_types.events import NewEvent, actions_stream
from integrations.storage import block_ledger_view
from integrations.storage.database import make_engine, read_transaction, write_transaction
from integrations.storage.event_store import StreamAppend
from integrations.storage.migrate import upgrade
from integrations.storage.schema import v_block_ledger
from service.access import users
from service.app import App
from tests.conftest import FixedClock

BLOCKS = ["b0", "b1"]
ACTIONS = ["a0", "a1"]
T0 = datetime(2026, 11, 20, 18, tzinfo=UTC)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_hours = st.integers(min_value=-48, max_value=48).map(lambda h: (T0 + timedelta(hours=h)).isoformat())
_block = st.sampled_from(BLOCKS)
_any = st.sampled_from(BLOCKS + ACTIONS)


def _planned(action_id: str, at: str) -> tuple[str, dict[str, Any]]:
    end = (datetime.fromisoformat(at) + timedelta(hours=1)).isoformat()
    data = {"action_id": action_id, "goal_id": None, "kind": "attend-event", "start": at, "end": end}
    return ev.ACTION_PLANNED, {**data, "at": at, "title": f"Networking {action_id}", "contact_ids": []}


def _done(action_id: str, at: str, block_id: str | None, via: str | None) -> tuple[str, dict[str, Any]]:
    data: dict[str, Any] = {"action_id": action_id, "kind": "attend-event", "at": at, "contact_ids": ["c1"]}
    if block_id is not None:
        data["block_id"] = block_id
    if via is not None:
        data["confirmed_via"] = via
    return ev.ACTION_DONE, data


_event = st.one_of(
    st.builds(_planned, _block, _hours),
    st.builds(
        lambda a, s: (ev.ACTION_RESCHEDULED, {"action_id": a, "start": s, "end": s, "by": "user", "at": s}),
        _block,
        _hours,
    ),
    st.builds(
        lambda a, r, b: (ev.ACTION_SKIPPED, {"action_id": a, "reason": r, "by": b, "at": T0.isoformat()}),
        _block,
        st.sampled_from(["not confirmed", "didn't happen"]),
        st.sampled_from(["user", "netgoals"]),
    ),
    st.builds(_done, _any, _hours, st.none() | _block, st.none() | st.sampled_from(["title", "link"])),
    st.builds(lambda a: (ev.ACTION_RETRACTED, {"action_id": a, "at": T0.isoformat()}), _any),
    st.builds(
        lambda b, by, absorbs: (
            ev.ACTION_FULFILLED,
            {"action_id": b, "by": by, "at": T0.isoformat(), **({"absorbs": absorbs} if absorbs else {})},
        ),
        _block,
        _any,
        st.none() | _any,
    ),
    st.builds(lambda at: (ev.CONFIRMATION_ADOPTED, {"at": at}), _hours),
    # Events the ledger ignores pass through untouched.
    st.just((ev.UPDATE_DELIVERED, {"delivery_id": "d", "key": "k", "kind": "test"})),
)
_batches = st.lists(st.lists(_event, min_size=1, max_size=6), min_size=1, max_size=6)


def _fresh(folder: str) -> tuple[App, str]:
    engine = make_engine(f"sqlite:///{Path(folder) / 'ledger.db'}")
    upgrade(engine)
    app = App(engine, FixedClock(T0))
    return app, users.register(app, "ada@example.org", "Europe/Berlin").user_id


def _append(app: App, user_id: str, batch: list[tuple[str, dict[str, Any]]]) -> None:
    news = [NewEvent(uuid4(), t, d) for t, d in batch]
    app.store.append(StreamAppend(actions_stream(user_id), None, news))


def folded(app: App, user_id: str) -> BlockLedger:
    """The rule: the fold over the person's whole actions stream."""
    ledger = BlockLedger()
    ledger.apply_all((e.type, e.data) for e in app.store.read_stream(actions_stream(user_id)))
    return ledger


def projected(app: App, user_id: str) -> BlockLedger:
    with read_transaction(app.engine) as connection:
        return block_ledger_view.read(connection, user_id)


def rows(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return sorted(tuple(r) for r in connection.execute(select(v_block_ledger)))


_AT = T0.isoformat()
# A batch reaching rows no event of it names: a retraction whose done action fulfilled a block, or
# confirmed one, in an earlier batch.
_FULFILLED_THEN_RETRACTED = [
    [
        _planned("b0", _AT),
        _done("a0", _AT, None, None),
        (ev.ACTION_FULFILLED, {"action_id": "b0", "by": "a0", "at": _AT, "absorbs": "a1"}),
    ],
    [(ev.ACTION_RETRACTED, {"action_id": "a0", "at": _AT})],
]
_CONFIRMED_THEN_RETRACTED = [
    [_planned("b0", _AT), _done("a1", _AT, "b0", "link")],
    [(ev.ACTION_RETRACTED, {"action_id": "a1", "at": _AT})],
]


@SETTINGS
@given(_batches)
@example(_FULFILLED_THEN_RETRACTED)
@example(_CONFIRMED_THEN_RETRACTED)
def test_the_projection_reads_what_the_fold_over_the_stream_says(batches: list[list[Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app, user_id = _fresh(folder)
        for batch in batches:
            _append(app, user_id, batch)
            app.projection.catch_up(user_id)
            assert projected(app, user_id) == folded(app, user_id)
        incremental = rows(app.engine)
        app.projection.rebuild()
        assert rows(app.engine) == incremental
        assert projected(app, user_id) == folded(app, user_id)
        app.close()


def test_the_ledger_is_projected_per_person_and_without_done_actions_when_asked(tmp_path: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app, ada = _fresh(folder)
        bob = users.register(app, "bob@example.org", "Europe/Berlin").user_id
        _append(app, ada, [_planned("b0", T0.isoformat()), _done("a0", T0.isoformat(), None, None)])
        _append(app, bob, [_planned("b1", T0.isoformat())])
        app.projection.catch_up()
        assert set(projected(app, ada).blocks) == {"b0"} and set(projected(app, ada).done) == {"a0"}
        assert set(projected(app, bob).blocks) == {"b1"}
        with read_transaction(app.engine) as connection:
            assert block_ledger_view.read(connection, ada, with_done=False).done == {}
        app.close()


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_rebuild_restores_a_lost_ledger_projection(database_url: str, clock: FixedClock) -> None:
    """What `netgoals rebuild` runs: the rows come back from the log, equal to the fold, and the
    incremental catch-up goes on from where the rebuild stopped."""
    engine = make_engine(database_url)
    upgrade(engine)
    app = App(engine, clock)
    user_id = users.register(app, "ada@example.org", "Europe/Berlin").user_id
    _append(
        app,
        user_id,
        [
            _planned("b0", T0.isoformat()),
            _done("a0", T0.isoformat(), None, None),
            (ev.ACTION_FULFILLED, {"action_id": "b0", "by": "a0", "at": T0.isoformat()}),
            (ev.CONFIRMATION_ADOPTED, {"at": T0.isoformat()}),
        ],
    )
    app.projection.catch_up()
    kept = rows(engine)
    assert projected(app, user_id).blocks["b0"].outcome == "fulfilled"
    with write_transaction(engine) as connection:
        connection.execute(delete(v_block_ledger))
    assert projected(app, user_id) == BlockLedger()
    app.projection.rebuild()
    assert rows(engine) == kept
    assert projected(app, user_id) == folded(app, user_id)
    _append(app, user_id, [(ev.ACTION_RETRACTED, {"action_id": "a0", "at": T0.isoformat()})])
    app.projection.catch_up(user_id)
    assert projected(app, user_id).blocks["b0"].outcome is None  # the evidence is gone: to confirm
    assert projected(app, user_id) == folded(app, user_id)
    app.close()
