"""CalDAV holds no database transaction open while the server answers (issue 26): every request of
the provider first ends the caller's read transaction (`CalDAV.provider` hands the session
`App.release_read`), so a slow server keeps no PostgreSQL session "idle in transaction" for the
round trip — in a sync as the worker runs it, in a sync inside a unit of work, and in a connect
inside one (as a command run through `once` in api/deps.py would be).

On PostgreSQL, Radicale behind the quirks proxy, which holds every request until the test has looked
at `pg_stat_activity` for the test's database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from domain.decisions import GoalSpec
from integrations.storage.database import make_engine
from integrations.storage.migrate import upgrade
from service.access import users
from service.app import App
from service.caldav import connect as caldav_connect
from service.caldav.context import CalDAV
from service.caldav.sync import sync_once
from service.read_models import progress as progress_service
from service.settings import Settings
from service.tracking import goals
from tests.caldav.conftest import new_calendar
from tests.caldav.quirks_proxy import QuirksProxy
from tests.caldav.user_client import Attendee, event, local
from tests.conftest import FixedClock
from tests.turnstile import Sessions, nothing_idle_in_transaction

ADA = "ada@example.org"
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # a Saturday


@pytest.fixture
def sessions(postgres_url: str) -> Iterator[Sessions]:
    found = Sessions(postgres_url)
    yield found
    found.close()


def test_no_transaction_is_open_while_the_caldav_server_answers(
    quirks: QuirksProxy, postgres_url: str, sessions: Sessions, tmp_path: Path
) -> None:
    engine = make_engine(postgres_url)
    upgrade(engine)
    app = App(engine, FixedClock(NOW))
    caldav = CalDAV.open(Settings(home=tmp_path / "home", allow_private_sources=True))
    user_id = users.register(app, ADA, "Europe/Berlin").user_id
    goals.set_goal(app, user_id, GoalSpec(template="monthly-event"))
    server = quirks.server
    mine = new_calendar(server)
    goals_url = mine.use("").make_calendar(f"goals-{uuid.uuid4().hex[:8]}")
    try:

        def connect() -> caldav_connect.Connected:
            with app.unit():  # a caller's unit of work: the release is what keeps it clean
                return caldav_connect.connect(
                    app,
                    caldav,
                    user_id,
                    server.base_url,
                    username=server.username,
                    password=server.password,
                    read=[mine.calendar_url],
                    plan_into=goals_url,
                )

        _connected, seen = nothing_idle_in_transaction(quirks, sessions, connect)
        assert seen >= 2
        report, seen = nothing_idle_in_transaction(quirks, sessions, lambda: sync_once(app, caldav, user_id))
        assert report.error is None, report.error
        assert seen >= 3 and report.planned  # both calendars read, busy time asked, blocks written
        mine.add(
            event(
                "Climate Tech Meetup",
                local(2026, 11, 20, 19),
                organizer="host@example.com",
                attendees=[Attendee(ADA, "ACCEPTED"), Attendee("grace@example.com", "ACCEPTED")],
            )
        )

        def sync_in_a_unit() -> Any:
            with app.unit():
                return sync_once(app, caldav, user_id)

        report, seen = nothing_idle_in_transaction(quirks, sessions, sync_in_a_unit)
        assert report.error is None, report.error
        assert seen >= 2
        done = {
            line.progress.goal.title: line.progress.current.done
            for line in progress_service.progress(app, user_id)
        }
        assert done == {"Attend one networking event per month": 1}
    finally:
        mine.close()
        engine.dispose()
