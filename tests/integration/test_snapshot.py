"""The quick progress read (sqlite3, no SQLAlchemy) answers exactly what the full path answers, and
only when it may: at the newest schema, with every projection at the log's head."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.event_types import events as ev
from domain.event_types.events import NewEvent
from integrations.storage.event_store import StreamAppend
from integrations.storage.snapshot import sqlite_path
from service.access import users
from service.app import App
from service.commands import GoalSpec
from service.read_models.progress import progress
from service.read_models.quick_progress import quick_progress
from service.settings import Settings
from service.tracking import actions, goals

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, now=NOW)


@pytest.fixture
def store(settings: Settings) -> tuple[App, str]:
    app = App.open(settings, clock=lambda: NOW)
    user_id = users.register(app, "ada@example.org", "Europe/Berlin").user_id
    aspiration = goals.add_aspiration(app, user_id, "Move into product", "new-job")
    goals.set_goal(app, user_id, GoalSpec(template="monthly-event", aspiration_id=aspiration))
    goals.set_goal(app, user_id, GoalSpec(template="weekly-outreach"))
    archived = goals.set_goal(app, user_id, GoalSpec(action="follow-up", target=2, frame="week"))
    for day in range(40):
        kind = ("attend-event", "reach-out", "follow-up")[day % 3]
        actions.log_action(app, user_id, kind, NOW - timedelta(days=day, hours=1))
    goals.archive_goal(app, user_id, archived.goal_id)
    return app, user_id


@pytest.mark.parametrize("include_archived", [False, True])
def test_quick_progress_equals_the_full_read(
    store: tuple[App, str], settings: Settings, include_archived: bool
) -> None:
    app, user_id = store
    full = [line.as_dict() for line in progress(app, user_id, include_archived=include_archived)]
    quick = quick_progress(settings, "ada@example.org", include_archived)
    assert quick is not None
    assert [line.as_dict() for line in quick] == full
    assert len(full) == (3 if include_archived else 2)
    assert any(line["aspiration"] == "Move into product" for line in full)


def test_events_not_yet_projected_send_it_to_the_full_path(
    store: tuple[App, str], settings: Settings
) -> None:
    app, user_id = store
    done = {"action_id": str(uuid.uuid4()), "kind": "reach-out", "at": NOW.isoformat()}
    event = NewEvent(uuid.uuid4(), ev.ACTION_DONE, done)
    app.store.append(StreamAppend(ev.actions_stream(user_id), None, [event]))
    assert quick_progress(settings, "ada@example.org") is None  # the log is ahead of the views
    app.projection.catch_up()
    assert quick_progress(settings, "ada@example.org") is not None


def test_an_older_schema_sends_it_to_the_full_path(store: tuple[App, str], settings: Settings) -> None:
    path = sqlite_path(settings.effective_database_url)
    assert path is not None
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0001'")
    assert quick_progress(settings, "ada@example.org") is None


def test_no_store_unknown_users_and_servers_are_left_to_the_full_path(tmp_path: Path) -> None:
    assert quick_progress(Settings(home=tmp_path / "nothing-here"), "local") is None
    assert quick_progress(Settings(database_url="postgresql+psycopg://127.0.0.1/x"), "local") is None
    assert sqlite_path("sqlite:///:memory:") is None


def test_an_unknown_user_is_left_to_the_full_path(store: tuple[App, str], settings: Settings) -> None:
    assert quick_progress(settings, "nobody@example.org") is None
