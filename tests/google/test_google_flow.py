"""End to end through google-auth-oauthlib and google-api-python-client against the fake, on a
real SQLite database: connect, plan, push, the user attends/declines/moves/deletes, pull, progress."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from integrations.storage.calendar_store import google_connections
from integrations.storage.database import make_engine
from integrations.storage.migrate import upgrade
from service import google
from service.app import App
from service.operations import archive
from service.read_models import progress as progress_service
from tests.google.conftest import ADA, World

BERLIN = ZoneInfo("Europe/Berlin")


def test_connect_stores_sealed_tokens_and_creates_the_calendar_on_first_sync(world: World) -> None:
    world.connect()
    assert google.status(world.app, world.user_id).status == "connected"
    with world.app.engine.connect() as connection:
        sealed = connection.execute(select(google_connections.c.tokens)).scalar_one()
    assert sealed.startswith("gAAAA")  # Fernet, not JSON
    assert "ya29." not in sealed
    assert "1//0" not in sealed
    report = world.sync()
    assert report.error is None, report.error
    calendars = world.fake.list_calendars(ADA)
    assert [c["summary"] for c in calendars if not c["primary"]] == ["Networking goals"]
    assert sorted(world.fake.granted_scopes(ADA)) == sorted(
        "https://www.googleapis.com/auth/" + s
        for s in ("calendar.app.created", "calendar.events.owned.readonly", "calendar.events.freebusy")
    )


def test_goals_are_planned_into_free_time_and_pushed(world: World) -> None:
    world.goal("weekly-outreach")
    world.goal("monthly-event")
    world.connect()
    busy = world.add_event("Dentist", datetime(2026, 11, 30, 8, 30, tzinfo=BERLIN), 60)
    assert busy
    report = world.sync()
    assert report.error is None, report.error
    events = world.our_events()
    assert report.planned == len(events) > 8
    outreach = [e for e in events if "Reach out" in e["summary"]]
    first = min(outreach, key=lambda e: e["start"]["dateTime"])
    # Monday morning 8:30-9:30 is busy: the first 15-minute block goes after it
    assert datetime.fromisoformat(first["start"]["dateTime"]) == datetime(2026, 11, 30, 9, 30, tzinfo=BERLIN)
    assert first["extendedProperties"]["private"]["netgoals"] == "1"
    assert "Progress so far" in first["description"]
    again = world.sync()
    assert again.error is None, again.error  # a failed sync would also plan and push nothing
    assert again.changes_seen >= len(events)  # it pulled our own blocks back and found them as pushed
    assert (again.planned, again.pushed) == (0, 0)
    assert len(world.our_events()) == len(events)


def test_end_to_end_on_postgresql(make_world: Callable[..., World], postgres_url: str) -> None:
    world = make_world(postgres_url)
    world.goal("monthly-event")
    world.connect()
    meetup = datetime(2026, 11, 25, 18, 0, tzinfo=BERLIN)
    event = world.invite("Cloud meetup", meetup, "accepted", ["host@x.org"])
    report = world.sync()
    assert report.error is None, report.error
    assert report.done == 1
    assert world.our_events()
    world.fake.set_response_status(ADA, event["id"], "declined")
    assert world.sync().retracted == 1
    world.fake.expire_sync_tokens(ADA, "primary")
    before = world.app.store.head_position()
    report = world.sync()  # 410: a full sync of the primary calendar, which must append nothing
    assert report.error is None, report.error
    assert report.changes_seen >= 1  # it did list the calendar again
    assert world.app.store.head_position() == before


def test_export_and_import_carry_calendar_facts(world: World, tmp_path: Path) -> None:
    world.goal("monthly-event")
    world.connect()
    world.invite("Meetup", datetime(2026, 11, 25, 18, 0, tzinfo=BERLIN), "accepted", ["host@x.org"])
    assert world.sync().error is None
    lines = list(archive.export_lines(world.app, world.user_id))
    types = {json.loads(line)["type"] for line in lines}
    assert {"calendar.connected", "action.planned", "action.done"} <= types
    engine = make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    upgrade(engine)
    copy = App(engine, world.clock)
    assert archive.import_lines(copy, lines) == len(lines)
    line_of = lambda app: [x.as_dict() for x in progress_service.progress(app, world.user_id)]  # noqa: E731
    assert line_of(copy) == line_of(world.app)
    copy.close()
