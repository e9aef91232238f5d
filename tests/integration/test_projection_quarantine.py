"""A projection never wedges (docs/architecture.md): an event it cannot apply — whatever put it in
the log — is quarantined with its error, the checkpoint goes past it, every later event is applied,
a rebuild reports it instead of failing, and `netgoals status` and `/metrics` show it. On SQLite
and PostgreSQL (where a failed statement would poison the batch's transaction)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from api.app import create_app
from cli.main import app as cli
from domain.decisions import GoalSpec
from domain.event_types import events as ev
from domain.event_types.events import NewEvent, actions_stream, profile_stream
from integrations.storage.event_store import StreamAppend
from integrations.storage.projection import ACTIONS, BLOCKS, PROGRESS
from service.access import users
from service.app import App
from service.read_models import progress as progress_service
from service.settings import Settings
from service.tracking import actions, goals
from tests.conftest import FixedClock, machine_redis_url
from tests.integration.scenario import snapshot


@dataclass(frozen=True)
class Wedged:
    app: App
    user_id: str
    goal_id: str
    registration: UUID  # another account's registration carrying the user's handle
    unreadable: UUID  # an action whose time no one can read


def _bad_events(app: App, clock: FixedClock) -> Wedged:
    """A user with a goal and an action, then two events no projection can apply (appended as a
    restore or an old release would: past every check of the commands), then two good ones."""
    me = users.register(app, "me", "Europe/Berlin").user_id
    goal_id = goals.set_goal(app, me, GoalSpec(action="reach-out", target=5, frame="week")).goal_id
    actions.log_action(app, me, "reach-out")
    registration = NewEvent(
        uuid4(),
        ev.USER_REGISTERED,
        {"handle": "me", "timezone": "UTC", "week_start": 0, "weekly_budget": 5, "at": clock().isoformat()},
    )
    unreadable = NewEvent(
        uuid4(),
        ev.ACTION_DONE,
        {"action_id": str(uuid4()), "kind": "reach-out", "at": "2026-02-30T10:00:00+01:00"},
    )
    app.store.append(
        StreamAppend(profile_stream(str(uuid4())), 0, [registration]),
        StreamAppend(actions_stream(me), None, [unreadable]),
    )
    actions.log_action(app, me, "reach-out")  # its catch-up meets the two bad events first
    actions.log_action(app, me, "reach-out")
    # A write catches up its own person (PostgreSQL); the other person's registration waits for
    # the whole-log catch-up the workers' sweep runs, which skips what "me"'s catch-ups applied.
    app.projection.catch_up()
    return Wedged(app, me, goal_id, registration.event_id, unreadable.event_id)


@pytest.fixture
def wedged(engine: Engine, make_app: Callable[[Engine], App], clock: FixedClock) -> Wedged:
    return _bad_events(make_app(engine), clock)


def _held(app: App) -> set[tuple[str, str, str]]:
    return {(q.projection, q.event_id, q.type) for q in app.projection.quarantined()}


def _expected(w: Wedged) -> set[tuple[str, str, str]]:
    return {
        (PROGRESS, str(w.registration), ev.USER_REGISTERED),
        (ACTIONS, str(w.unreadable), ev.ACTION_DONE),
        (PROGRESS, str(w.unreadable), ev.ACTION_DONE),
        (BLOCKS, str(w.unreadable), ev.ACTION_DONE),  # the block ledger reads its time too
    }


def _done_this_week(w: Wedged) -> int:
    lines = {line.progress.goal.goal_id: line for line in progress_service.progress(w.app, w.user_id)}
    return lines[w.goal_id].progress.current.done


def test_an_event_that_cannot_be_applied_is_quarantined_and_the_projection_goes_on(wedged: Wedged) -> None:
    app = wedged.app
    head = app.store.head_position()
    assert app.projection.position(ACTIONS) == app.projection.position(PROGRESS) == head
    assert _held(app) == _expected(wedged)
    errors = {q.event_id: q.error for q in app.projection.quarantined() if q.projection == PROGRESS}
    assert "handle" in errors[str(wedged.registration)]  # UNIQUE (handle), in the database's words
    assert "day is out of range" in errors[str(wedged.unreadable)]
    assert _done_this_week(wedged) == 3  # the actions before and after the bad events all count
    assert app.projection.catch_up() == 0  # nothing left behind to retry
    users.register(app, "someone-else", "UTC")  # new work goes on being projected
    assert {u.handle for u in users.list_users(app)} == {"me", "someone-else"}


def test_a_rebuild_quarantines_the_same_events_and_writes_the_same_views(wedged: Wedged) -> None:
    app = wedged.app
    incremental = snapshot(app.engine)
    app.projection.rebuild()  # the fast rebuild fails on them: it goes event by event instead
    assert _held(app) == _expected(wedged)
    assert snapshot(app.engine) == incremental
    head = app.store.head_position()
    assert app.projection.position(ACTIONS) == app.projection.position(PROGRESS) == head
    assert _done_this_week(wedged) == 3


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        home=tmp_path, database_url=database_url, redis_url=machine_redis_url("workers"), secret_key="q"
    )


@pytest.fixture
def served(settings: Settings, clock: FixedClock) -> Iterator[Wedged]:
    app = App.open(settings, clock)
    yield _bad_events(app, clock)
    app.close()


def test_rebuild_status_and_metrics_name_the_quarantined_events(
    served: Wedged, settings: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NETGOALS_SECRET_KEY", "NETGOALS_USER", "NETGOALS_NOW"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETGOALS_HOME", str(settings.home))
    monkeypatch.setenv("NETGOALS_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("NETGOALS_REDIS_URL", settings.effective_redis_url)
    runner = CliRunner()

    rebuilt = runner.invoke(cli, ["rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Quarantined 4 event(s) that could not be applied" in rebuilt.output
    for event_id in (served.registration, served.unreadable):
        assert f"event {event_id} (" in rebuilt.output

    status = runner.invoke(cli, ["status"])
    assert (
        "Quarantined: 4 event(s) the projections could not apply (1 in actions, 1 in blocks, 2 in progress)"
        in status.output
    )
    assert f"progress: event {served.registration} (user.registered)" in status.output

    web = create_app(settings, clock)
    with TestClient(web, client=("127.0.0.1", 50000)) as client:  # /metrics answers this machine
        text = client.get("/metrics").text
    web.state.netgoals.close()
    assert 'netgoals_quarantined_events{projection="actions"} 1.0' in text
    assert 'netgoals_quarantined_events{projection="progress"} 2.0' in text
    assert 'netgoals_quarantined_events{projection="blocks"} 1.0' in text
    assert isinstance(datetime.fromisoformat(served.app.projection.quarantined()[0].quarantined_at), datetime)
