"""End to end, as a subscriber and as a source: a real `netgoals api` process serves the feed;
vdirsyncer (http storage → a folder) subscribes to it and khal lists the events; a change shows at
the next sync. And `netgoals source add` + `netgoals sync` read a calendar from a local server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.live import LiveServer, live_server
from tests.ical.calendar_server import Route, calendar_server
from tests.ical.ics import vcalendar, vevent
from tests.readback import BIN, khal_config, run

NOW = "2026-11-25T11:00:00+00:00"
ADA = "ada@example.com"
BO = "bo@example.com"


def _configs(tmp: Path, url: str) -> tuple[Path, Path]:
    (tmp / "calendars" / "feed").mkdir(parents=True)
    (tmp / "status").mkdir()
    vdir = tmp / "vdirsyncer.conf"
    vdir.write_text(
        f"""[general]
status_path = "{tmp / "status"}/"

[pair feed]
a = "netgoals"
b = "folder"
collections = null
conflict_resolution = "a wins"

[storage netgoals]
type = "http"
url = "{url}"

[storage folder]
type = "filesystem"
path = "{tmp / "calendars" / "feed"}/"
fileext = ".ics"
"""
    )
    khal = khal_config(tmp, "feed", tmp / "calendars" / "feed")
    return vdir, khal


def _listed(khal: Path, tmp: Path) -> list[str]:
    out = run(
        BIN / "khal",
        "-c",
        khal,
        "list",
        "--format",
        "{start-date} {title}",
        "--day-format",
        "",
        "2026-10-01",
        "2027-03-01",
        cwd=tmp,
    )
    return sorted({line.strip() for line in out.splitlines() if line.strip()})


def _api(server: LiveServer, token: str) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def _feed_url(api: httpx.Client, server: LiveServer) -> str:
    links = api.get("/api/v1/feed").json()
    return server.base_url + "/feeds/" + links["https"].rsplit("/feeds/", 1)[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One `netgoals api` process for this module's tests (each uses its own user)."""
    home = tmp_path_factory.mktemp("home")
    with live_server(home, {"NETGOALS_NOW": NOW, "NETGOALS_ALLOW_PRIVATE_SOURCES": "1"}) as running:
        yield running


def test_vdirsyncer_subscribes_to_the_feed_and_khal_lists_it(tmp_path: Path, server: LiveServer) -> None:
    home = Path(server.env["NETGOALS_HOME"])
    api = _api(server, server.add_user(ADA)["token"])
    assert api.post("/api/v1/goals", json={"template": "monthly-event"}).status_code == 201
    meetup = {"action": "attend-event", "title": "Climate Tech Meetup", "at": "2026-11-24T18:00:00+01:00"}
    assert api.post("/api/v1/actions", json=meetup).status_code == 201
    url = _feed_url(api, server)
    vdir, khal = _configs(tmp_path, url)
    run(BIN / "vdirsyncer", "-c", vdir, "discover", cwd=tmp_path)
    run(BIN / "vdirsyncer", "-c", vdir, "sync", cwd=tmp_path)
    items = list((tmp_path / "calendars" / "feed").glob("*.ics"))
    assert len(items) == 4  # one item per event: the feed has no calendar-level UID
    listed = _listed(khal, tmp_path)
    assert "2026-11-24 ✓ Climate Tech Meetup" in listed
    assert "2026-11-01 ✓ Attend one networking event — November 2026" in listed
    assert "2026-12-01 Attend one networking event — December 2026" in listed
    # A change in netgoals shows at the subscriber's next sync.
    breakfast = {
        "action": "attend-event",
        "title": "Founders breakfast",
        "at": "2026-11-25T08:00:00+01:00",
    }
    assert api.post("/api/v1/actions", json=breakfast).status_code == 201
    run(BIN / "vdirsyncer", "-c", vdir, "sync", cwd=tmp_path)
    assert "2026-11-25 ✓ Founders breakfast" in _listed(khal, tmp_path)
    assert len(list((tmp_path / "calendars" / "feed").glob("*.ics"))) == 5
    log = (home / "server.log").read_text()
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert "/feeds/[redacted]" in log and token not in log


def test_a_source_added_by_the_cli_is_read_by_netgoals_sync(server: LiveServer) -> None:
    calendar = vcalendar(
        vevent("m1@x", "20261118T170000Z", "20261118T190000Z", "Python Meetup Berlin", me=BO),
        vevent("d1@x", "20261119T170000Z", "20261119T190000Z", "Networking mixer", partstat="DECLINED"),
    )
    with calendar_server() as calendars:
        calendars.routes["/meetups.ics"] = Route(calendar, etag='"1"')
        api = _api(server, server.add_user(BO)["token"])
        assert api.post("/api/v1/goals", json={"template": "monthly-event"}).status_code == 201
        added = json.loads(server.cli("source", "add", calendars.url("/meetups.ics"), "--user", BO, "--json"))
        assert added["last_status"] == "new"
        out = server.cli("sync")  # every user's due sources; Google is not configured here
        assert "ok, 2 events read, 1 counted" in out
        state = api.get("/api/v1/sources").json()
        assert (state[0]["last_status"], state[0]["events_seen"], state[0]["actions_derived"]) == ("ok", 2, 1)
        assert [(p["done"], p["status"]) for p in api.get("/api/v1/progress").json()] == [(1, "met")]
        again = server.cli("source", "sync", "--user", BO, "--json")
        assert json.loads(again)[0]["status"] == "not-modified"
