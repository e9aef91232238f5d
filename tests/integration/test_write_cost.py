"""Logging an action costs the same whatever the period already holds (issue 9, item 6), and the
incremental counting it relies on equals a rebuild — duplicates, retractions and a progress
projection lagging behind the action index included."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Engine, event

from domain import decisions
from domain.decisions import ContactSpec, GoalSpec
from domain.event_types import events as ev
from domain.event_types.events import NewEvent, actions_stream
from integrations.storage.database import make_engine
from integrations.storage.event_store import StreamAppend
from integrations.storage.migrate import upgrade
from service.access import users
from service.app import App
from service.people import contacts
from service.read_models import progress as progress_service
from service.tracking import actions, goals
from tests.integration.scenario import snapshot

NOW = datetime(2026, 11, 28, 10, tzinfo=UTC)
MONTH_START = datetime(2026, 11, 1, 1, tzinfo=UTC)


class StepCounter:
    """Counts SQLite virtual-machine steps (in tens: in hundreds, a write of about 600 steps
    rounded to anything from 2 to 7): the work a statement does, not its time."""

    def __init__(self, engine: Engine) -> None:
        self.steps = 0
        event.listen(engine, "connect", self._attach)

    def _attach(self, dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.set_progress_handler(self._tick, 10)

    def _tick(self) -> int:
        self.steps += 1
        return 0


def _app(path: Path) -> tuple[App, StepCounter]:
    engine = make_engine(f"sqlite:///{path}")
    counter = StepCounter(engine)
    upgrade(engine)
    return App(engine, lambda: NOW), counter


def _fill(app: App, user_id: str, size: int) -> None:
    profile = app.profile(user_id)
    span = (NOW - timedelta(hours=2) - MONTH_START) / size
    decided = [
        decisions.log_action(profile, str(uuid4()), "attend-event", MONTH_START + span * i, NOW)
        for i in range(size)
    ]
    app.append_actions(user_id, decided)


def _steps_per_write(tmp_path: Path, size: int) -> int:
    app, counter = _app(tmp_path / f"steps-{size}.db")
    user_id = users.register(app, "ada@example.org", "UTC").user_id
    goal = goals.set_goal(app, user_id, GoalSpec(template="monthly-event")).goal_id
    contact = contacts.add_contact(app, user_id, ContactSpec(name="Maya"))
    _fill(app, user_id, size)
    spent = []
    for i in range(3):
        before = counter.steps
        actions.log_action(
            app, user_id, "attend-event", NOW - timedelta(minutes=30 + i), contact_ids=(contact,)
        )
        spent.append(counter.steps - before)
    [line] = [x for x in progress_service.progress(app, user_id) if x.progress.goal.goal_id == goal]
    assert line.progress.current.done == size + 3
    app.close()
    return min(spent)


def test_the_work_of_one_write_does_not_grow_with_the_period(tmp_path: Path) -> None:
    small, large = _steps_per_write(tmp_path, 100), _steps_per_write(tmp_path, 4000)
    # A recount of the period would read 40x more index rows; B-tree depth may add a little.
    assert large <= small * 1.3, (small, large)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    made, _counter = _app(tmp_path / "lag.db")
    yield made
    made.close()


def _done(app: App, user_id: str, action_id: str, kind: str, at: datetime, *contact_ids: str) -> NewEvent:
    found = decisions.log_action(app.profile(user_id), action_id, kind, at, NOW, contact_ids=contact_ids)
    return NewEvent(uuid4(), found.type, found.data)


def test_incremental_counts_equal_a_rebuild_with_duplicates_retractions_and_lag(app: App) -> None:
    user_id = users.register(app, "ada@example.org", "Europe/Berlin").user_id
    goals.set_goal(app, user_id, GoalSpec(template="monthly-event"))
    goals.set_goal(app, user_id, GoalSpec(template="weekly-outreach"))
    maya = contacts.add_contact(app, user_id, ContactSpec(name="Maya"))
    lin = contacts.add_contact(app, user_id, ContactSpec(name="Lin"))
    day = timedelta(days=1)
    twice, dropped, mistake = str(uuid4()), str(uuid4()), str(uuid4())
    batch = [
        _done(app, user_id, twice, "attend-event", NOW - 3 * day, maya),
        _done(app, user_id, dropped, "reach-out", NOW - 9 * day, lin),
        _done(app, user_id, str(uuid4()), "reach-out", NOW - 1 * day, lin),
        _done(app, user_id, str(uuid4()), "attend-event", NOW - 40 * day, maya),  # last month
        NewEvent(uuid4(), ev.ACTION_RETRACTED, decisions.retract_action(dropped, NOW, None).data),
        _done(app, user_id, str(uuid4()), "reach-out", NOW - 12 * day, maya),
        _done(app, user_id, mistake, "attend-event", NOW - 5 * day),
        NewEvent(uuid4(), ev.ACTION_RETRACTED, decisions.retract_action(mistake, NOW, None).data),
        _done(app, user_id, str(uuid4()), "attend-event", NOW - 4 * day, lin),  # after the recount
        _done(app, user_id, str(uuid4()), "reach-out", NOW - 1 * day, maya),
        _done(app, user_id, twice, "attend-event", NOW - 2 * day, lin),  # the same action again: ignored
    ]
    app.store.append(StreamAppend(actions_stream(user_id), None, batch))
    # The index catches up at once; progress follows one event per batch, behind it all the way.
    app.projection.catch_up(batch_size=1)
    incremental = snapshot(app.engine)
    before = [line.as_dict() for line in progress_service.progress(app, user_id)]
    app.projection.rebuild()
    assert snapshot(app.engine) == incremental
    assert [line.as_dict() for line in progress_service.progress(app, user_id)] == before
