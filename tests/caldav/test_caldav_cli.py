"""`netgoals caldav connect|calendars|status|sync|disconnect` through Typer's runner, in-process,
on a real SQLite store and a real Radicale: the password comes from a hidden prompt or the
environment, never an argument, and is never printed."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cli.main import app
from service.app import App
from service.settings import Settings
from tests.caldav.conftest import new_calendar
from tests.caldav.people import HOST, calendars_gone, done_keys
from tests.caldav.servers import Server
from tests.caldav.user_client import Attendee, event
from tests.shape_api import api_for, cli_json

ADA = "ada@example.org"
Invoke = Callable[..., str]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    for name in ("NETGOALS_DATABASE_URL", "NETGOALS_GOOGLE_CLIENT_ID", "NETGOALS_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETGOALS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NETGOALS_NOW", "2026-11-25T11:00:00+00:00")
    monkeypatch.setenv("NETGOALS_ALLOW_PRIVATE_SOURCES", "1")
    monkeypatch.setenv("NETGOALS_USER", ADA)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0, stdin: str | None = None) -> str:
        result = runner.invoke(app, list(args), input=stdin)
        assert result.exit_code == code, (result.output, result.exception)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.output

    invoke("init", "--timezone", "Europe/Berlin")
    invoke("goal", "add", "--template", "monthly-event")
    return invoke


def test_connect_with_a_prompted_password_then_calendars_status_sync_disconnect(
    run: Invoke, radicale_server: Server
) -> None:
    mine = new_calendar(radicale_server)
    goals_name = f"Networking goals {uuid.uuid4().hex[:6]}"
    goals_url = mine.use("").make_calendar(goals_name.lower().replace(" ", "-"), goals_name)
    password = radicale_server.password
    out = run(
        "caldav",
        "connect",
        radicale_server.base_url,
        "--username",
        radicale_server.username,
        "--read",
        mine.calendar_url,
        "--plan-into",
        goals_name,
        stdin=f"{password}\n",
    )
    assert "CalDAV connected" in out and f"Planning into: {goals_name}" in out
    assert password not in out
    listed = json.loads(run("caldav", "calendars", "--json"))
    roles = {c["url"]: c["role"] for c in listed}
    assert roles[goals_url] == "goals" and roles[mine.calendar_url] == "read"
    status = json.loads(run("caldav", "status", "--json"))
    assert status["status"] == "connected" and password not in json.dumps(status)
    assert "connected" in run("caldav", "sync")
    assert mine.use(goals_url).objects(), "a block was planned into the calendar"
    assert "disconnected" in run("caldav", "disconnect")
    assert json.loads(run("caldav", "status", "--json"))["status"] == "disconnected"
    mine.close()


def test_netgoals_sync_syncs_caldav_without_google_and_counts_a_meetup_once(
    run: Invoke, radicale_server: Server
) -> None:
    mine = new_calendar(radicale_server)
    start = datetime(2026, 11, 20, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    attendees = [Attendee(ADA, "ACCEPTED"), Attendee(HOST, "ACCEPTED")]
    mine.add(event("Python meetup", start, organizer=HOST, attendees=attendees))
    connect = ("caldav", "connect", radicale_server.base_url, "--username", radicale_server.username)
    run(*connect, "--read", mine.calendar_url, stdin=f"{radicale_server.password}\n")
    first = run("sync")  # no NETGOALS_GOOGLE_CLIENT_ID: Google is not configured here
    assert "connected:" in first and "1 done" in first
    again = json.loads(run("sync", "--json"))
    assert [(r["provider"], r["status"], r["done"]) for r in again] == [("caldav", "connected", 0)]
    service = App.open(Settings())
    try:
        assert len(done_keys(service, service.user(ADA).user_id)) == 1  # counted once, not twice
    finally:
        service.close()
    mine.close()


def test_a_wrong_password_from_the_environment_is_one_line_and_exit_2(
    run: Invoke, radicale_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETGOALS_CALDAV_PASSWORD", "not-it")
    out = run("caldav", "connect", radicale_server.base_url, "--username", "ada", code=2)
    assert "refused the user name or password" in out and "not-it" not in out
    assert json.loads(run("caldav", "status", "--json"))["status"] == "not-connected"


def test_an_unknown_preset_is_named(run: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETGOALS_CALDAV_PASSWORD", "x")
    out = run("caldav", "connect", "--preset", "yahoo", "--username", "ada", code=2)
    assert "unknown preset 'yahoo'" in out


def test_a_failed_sync_exits_1_with_json_too(run: Invoke, radicale_server: Server) -> None:
    """Scripts read the exit code: `netgoals sync --json` fails as `caldav sync --json` does."""
    mine = new_calendar(radicale_server)
    connect = ("caldav", "connect", radicale_server.base_url, "--username", radicale_server.username)
    run(*connect, "--read", mine.calendar_url, stdin=f"{radicale_server.password}\n")
    service = App.open(Settings())
    try:
        with service.engine.begin() as connection:
            calendars_gone(connection)
    finally:
        service.close()
    for command in (("sync", "--json"), ("caldav", "sync", "--json")):
        answer = json.loads(run(*command, code=1))
        reports = answer if isinstance(answer, list) else [answer]
        assert [r["status"] for r in reports] == ["error"], command
    mine.close()


def test_calendars_on_another_host_than_the_address_typed_sync(run: Invoke, radicale_server: Server) -> None:
    """iCloud answers `caldav.icloud.com` with a calendar home on a partition host, and RFC 4791
    lets any server do so: the calendars live on another origin than the stored address. Here the
    address says `localhost` while the calendars say 127.0.0.1 (the same Radicale)."""
    mine = new_calendar(radicale_server)
    start = datetime(2026, 11, 20, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    mine.add(event("Design meetup", start, organizer=HOST, attendees=[Attendee(ADA, "ACCEPTED")]))
    connect = ("caldav", "connect", radicale_server.base_url, "--username", radicale_server.username)
    run(*connect, "--read", mine.calendar_url, stdin=f"{radicale_server.password}\n")
    elsewhere = radicale_server.base_url.replace("127.0.0.1", "localhost")
    assert elsewhere != radicale_server.base_url
    service = App.open(Settings())
    try:
        with service.engine.begin() as connection:
            connection.execute(text("UPDATE caldav_accounts SET server_url = :url"), {"url": elsewhere})
    finally:
        service.close()
    (report,) = json.loads(run("sync", "--json"))
    assert (report["status"], report["done"]) == ("connected", 1)
    mine.close()


def test_the_cli_and_the_api_answer_the_same_shapes(
    run: Invoke, radicale_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One shape per resource (issue 25): `caldav connect|status|calendars --json` and
    /api/v1/caldav dump the same models (service/shapes/caldav.py): equal for the same state."""
    mine = new_calendar(radicale_server)
    goals_name = f"Networking goals {uuid.uuid4().hex[:6]}"
    mine.use("").make_calendar(goals_name.lower().replace(" ", "-"), goals_name)
    monkeypatch.setenv("NETGOALS_CALDAV_PASSWORD", radicale_server.password)
    where = ["--username", radicale_server.username, "--read", mine.calendar_url, "--plan-into", goals_name]
    connected = cli_json("caldav", "connect", radicale_server.base_url, *where)
    assert connected["created"] is False and connected["plan_into"]["name"] == goals_name
    body = {
        "server": radicale_server.base_url,
        "username": radicale_server.username,
        "password": radicale_server.password,
        "read": [mine.calendar_url],
        "plan_into": goals_name,
    }
    with api_for(ADA) as (client, auth):
        assert client.post("/api/v1/caldav", json=body, headers=auth).json() == connected  # again: the same
        status = cli_json("caldav", "status")
        assert client.get("/api/v1/caldav", headers=auth).json() == status
        assert set(status) == {
            "status", "detail", "server", "username", "calendars", "last_sync_at", "next_poll_at"
        }  # fmt: skip
        assert client.get("/api/v1/caldav/calendars", headers=auth).json() == cli_json("caldav", "calendars")
    mine.close()
