"""The flow suites' shared part (test_flow_blocks.py, test_flow_attendance.py): `person`, the same
person on each provider, and what the tests read from the log."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain.event_types.events import actions_stream
from tests.caldav.conftest import new_calendar
from tests.caldav.people import CaldavPerson, GooglePerson, Person
from tests.caldav.quirks_proxy import QuirksProxy
from tests.caldav.servers import Server
from tests.google.conftest import World

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # a Saturday
PROVIDERS = ["google", "radicale", "xandikos", "quirks"]


@pytest.fixture(params=PROVIDERS, name="person")
def person_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Person]:
    name = request.param
    if name == "google":
        made: Callable[..., World] = request.getfixturevalue("make_world")
        yield GooglePerson(made())
        return
    if name == "quirks":
        proxy: QuirksProxy = request.getfixturevalue("quirks")
        server = proxy.server
    else:
        server = request.getfixturevalue(f"{name}_flow_server")
    events = new_calendar(server, f"events-{uuid.uuid4().hex[:8]}")
    goals_url = events.use("").make_calendar(f"goals-{uuid.uuid4().hex[:8]}")
    if name == "quirks":
        proxy.quirks.no_mkcalendar = proxy.quirks.no_freebusy = True
        proxy.quirks.sync_extra = proxy.quirks.no_put_etag = True
    caldav_person = CaldavPerson(
        server, tmp_path, NOW, events, goals_url, proxy if name == "quirks" else None
    )
    yield caldav_person
    caldav_person.close()
    events.close()


@pytest.fixture(scope="session")
def radicale_flow_server(radicale_server: Server) -> Server:
    return radicale_server


@pytest.fixture(scope="session")
def xandikos_flow_server(xandikos_http_server: Server) -> Server:
    return xandikos_http_server


def actions_of(person: Person, kind: str) -> list[dict[str, object]]:
    return [e.data for e in person.app.store.read_stream(actions_stream(person.user_id)) if e.type == kind]
