"""Invariant 5: a projection writes its view rows and moves its checkpoint in ONE transaction. A
failure between the two (rows written, checkpoint not yet moved) leaves neither visible, and the
next run counts each event exactly once — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, select

from domain import decisions
from domain.decisions import GoalSpec
from domain.event_types.events import NewEvent, actions_stream
from integrations.storage import checkpoints as checkpoint_store
from integrations.storage import progress_views
from integrations.storage.event_store import StreamAppend
from integrations.storage.projection import ACTIONS, BLOCKS, PROGRESS
from integrations.storage.schema import checkpoints, v_actions, v_block_ledger
from service.access import users
from service.app import App
from service.read_models import progress
from service.tracking import goals
from tests.conftest import FixedClock

ACTIONS_LOGGED = 30


def _views(engine: Engine, name: str) -> tuple[int, dict[str, list[tuple[Any, ...]]]]:
    """A projection's checkpoint and every row of its views."""
    tables = {ACTIONS: (v_actions,), BLOCKS: (v_block_ledger,)}.get(name, progress_views.TABLES)
    with engine.connect() as connection:
        position = connection.scalar(select(checkpoints.c.position).where(checkpoints.c.name == name))
        rows = {t.name: sorted(tuple(r) for r in connection.execute(select(t))) for t in tables}
    return int(position or 0), rows


@pytest.mark.parametrize("failing", [ACTIONS, PROGRESS, BLOCKS])
def test_a_failure_between_view_rows_and_checkpoint_leaves_neither_and_the_retry_counts_once(
    engine: Engine,
    make_app: Callable[[Engine], App],
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    failing: str,
) -> None:
    app = make_app(engine)
    user_id = users.register(app, "me", "Europe/Berlin").user_id
    goal_id = goals.set_goal(app, user_id, GoalSpec(action="follow-up", target=50, frame="month")).goal_id
    profile = app.profile(user_id)
    made = [
        decisions.log_action(profile, f"a-{i}", "follow-up", clock(), clock()) for i in range(ACTIONS_LOGGED)
    ]
    ids = app.event_ids(user_id, None, len(made))
    app.store.append(  # appended, not yet projected
        StreamAppend(
            actions_stream(user_id),
            None,
            [NewEvent(i, e.type, e.data) for i, e in zip(ids, made, strict=True)],
        )
    )
    before = _views(engine, failing)

    real_advance = checkpoint_store.advance
    reached: list[str] = []

    def crash_before_moving(connection: Any, names: list[str], to: int) -> None:
        if failing in names:
            reached.append(failing)
            raise RuntimeError("crash after the view rows, before the checkpoint")
        real_advance(connection, names, to)

    monkeypatch.setattr(checkpoint_store, "advance", crash_before_moving)
    with pytest.raises(RuntimeError, match="before the checkpoint"):
        app.projection.catch_up()
    assert reached == [failing]  # the rows of a batch had been written when it failed
    assert _views(engine, failing) == before  # neither the rows nor the checkpoint are visible

    monkeypatch.setattr(checkpoint_store, "advance", real_advance)
    assert app.projection.catch_up() > 0
    head = app.store.head_position()
    assert _views(engine, ACTIONS)[0] == _views(engine, PROGRESS)[0] == head
    with engine.connect() as connection:
        logged = len(connection.execute(select(v_actions).where(v_actions.c.user_id == user_id)).all())
    assert logged == ACTIONS_LOGGED
    done = {
        line.progress.goal.goal_id: line.progress.current.done for line in progress.progress(app, user_id)
    }
    assert done[goal_id] == ACTIONS_LOGGED  # each event counted once
    incremental = _views(engine, PROGRESS)[1]
    app.projection.rebuild()
    assert _views(engine, PROGRESS)[1] == incremental
