"""`netgoals feed` and `netgoals source` (and `netgoals sync` reading due sources) through Typer's
runner, in-process, on a real SQLite store and a real local calendar server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.ical import test_real_world_sources
from tests.ical.calendar_server import CalendarServer, Route
from tests.ical.ics import vcalendar, vevent
from tests.shape_api import api_for, cli_json

ADA = "ada@example.com"
MEETUP = vcalendar(vevent("m1@x", "20261118T170000Z", "20261118T190000Z", "Python Meetup Berlin"))


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    for name in ("NETGOALS_DATABASE_URL", "NETGOALS_GOOGLE_CLIENT_ID", "NETGOALS_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETGOALS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NETGOALS_NOW", "2026-11-25T11:00:00+00:00")
    monkeypatch.setenv("NETGOALS_ALLOW_PRIVATE_SOURCES", "1")
    monkeypatch.setenv("NETGOALS_USER", ADA)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result.output

    invoke("init", "--timezone", "Europe/Berlin")
    invoke("goal", "add", "--template", "monthly-event")
    return invoke


def test_feed_url_is_stable_until_rotated(run: object) -> None:
    invoke = run  # type: ignore[assignment]
    first = json.loads(invoke("feed", "url", "--json"))
    assert first == json.loads(invoke("feed", "url", "--json"))
    assert first["webcal"].startswith("webcal://") and "/feeds/" in first["https"]
    plain = invoke("feed", "url")
    assert first["https"] in plain and "Google Calendar refreshes" in plain
    rotated = json.loads(invoke("feed", "rotate", "--json"))
    assert rotated["https"] != first["https"]
    assert json.loads(invoke("feed", "url", "--json"))["https"] == rotated["https"]
    assert "no goal" in invoke("feed", "url", "--goal", "nope", code=2)


def test_sources_add_list_sync_remove(run: object, server: CalendarServer, tmp_path: Path) -> None:
    invoke = run  # type: ignore[assignment]
    file = tmp_path / "meetups.ics"
    file.write_bytes(MEETUP)
    assert "ok, 1 events read, 1 counted" in invoke("source", "add", str(file))
    server.routes["/m.ics"] = Route(MEETUP, etag='"1"')
    added = json.loads(invoke("source", "add", server.url("/m.ics"), "--trust-all", "--json"))
    assert added["trust_all"] is True and added["last_status"] == "new"
    out = invoke("sync")  # Google is not configured: the due sources are the whole sync
    # The same event as the file's: read, but not counted twice.
    assert f"{added['source_id'][:8]}: ok, 1 events read, 0 counted" in out
    listed = json.loads(invoke("source", "list", "--json"))
    assert sorted((s["kind"], s["last_status"]) for s in listed) == [("file", "ok"), ("url", "ok")]
    table = invoke("source", "list")
    assert "meetups.ics" in table and "127.0.0.1" in table
    assert "not-modified" in invoke("source", "sync", added["source_id"][:8])
    invoke("source", "remove", added["source_id"][:8])
    assert len(json.loads(invoke("source", "list", "--json"))) == 1
    assert "no source" in invoke("source", "remove", "ffffffff", code=2)
    assert "not a calendar address" in invoke("source", "add", "ftp://x/y.ics", code=2)


def test_source_list_says_when_it_last_read_in_the_persons_zone(run: object, tmp_path: Path) -> None:
    """Issue 24: "last read" was bare UTC for a Berlin account (the store keeps UTC)."""
    invoke = run  # type: ignore[assignment]
    file = tmp_path / "meetups.ics"
    file.write_bytes(MEETUP)
    invoke("source", "add", str(file))  # read at once, at 11:00 UTC: 12:00 in Berlin in November
    [listed] = json.loads(invoke("source", "list", "--json"))
    assert listed["last_fetched_at"].startswith("2026-11-25T11:00")  # scripts keep UTC
    assert "2026-11-25 12:00 CET" in invoke("source", "list")


def test_the_cli_says_what_could_not_be_read(run: object, tmp_path: Path) -> None:
    invoke = run  # type: ignore[assignment]
    file = tmp_path / "mixed.ics"
    file.write_bytes(test_real_world_sources.MIXED)
    added = invoke("source", "add", str(file))
    assert "1 events read" in added and "1 part could not be read" in added
    assert "1 part" in invoke("source", "list")  # the table wraps the sentence


SOURCE_KEYS = {
    "source_id", "kind", "display", "trust_all", "emails", "interval_seconds", "last_fetched_at",
    "last_status", "last_error", "events_seen", "actions_derived", "unread", "unread_notes", "created_at",
}  # fmt: skip
READ_KEYS = {"source_id", "status", "events_seen", "unread", "unread_notes", "done", "retracted", "error"}


def test_sources_answer_the_same_over_the_cli_and_the_api(
    run: object, server: CalendarServer, tmp_path: Path
) -> None:
    """One shape per resource (issue 25): `source list|add|sync --json` and /api/v1/sources dump
    the same models (service/shapes/sources.py), so for the same state they are equal."""
    invoke = run  # type: ignore[assignment]
    file = tmp_path / "meetups.ics"
    file.write_bytes(MEETUP)
    invoke("source", "add", str(file))
    server.routes["/m.ics"] = Route(MEETUP, etag='"1"')
    added = cli_json("source", "add", server.url("/m.ics"))
    invoke("sync")  # the address read once: last_fetched_at, counts
    [upload] = [s["source_id"] for s in cli_json("source", "list") if s["kind"] == "file"]
    [read_again] = cli_json("source", "sync", upload)  # a file: read again, nothing new counted
    listed = cli_json("source", "list")
    # the keys both always answered (a field dropped from the shared model shows here)
    assert {frozenset(s) for s in listed} == {frozenset(SOURCE_KEYS)}
    assert set(read_again) == READ_KEYS
    with api_for(ADA) as (client, auth):
        assert client.get("/api/v1/sources", headers=auth).json() == listed
        [listed_added] = [s for s in listed if s["source_id"] == added["source_id"]]
        assert client.get(f"/api/v1/sources/{added['source_id']}", headers=auth).json() == listed_added
        settled = client.post(f"/api/v1/sources/{upload}/sync", headers=auth)
        assert settled.status_code == 200, settled.text
        assert settled.json()["read"] == read_again
        now = {s["source_id"]: s for s in cli_json("source", "list")}
        assert settled.json()["source"] == now[upload]
        second = tmp_path / "second.ics"
        second.write_bytes(MEETUP)
        uploaded = cli_json("source", "add", str(second))  # a file: the API upload's answer
        upload_headers = {**auth, "content-type": "text/calendar"}
        answer = client.post("/api/v1/sources/upload?name=third.ics", content=MEETUP, headers=upload_headers)
        assert answer.status_code == 201, answer.text
        assert set(uploaded) == set(answer.json()) == {"source", "read"}
        assert set(uploaded["source"]) == SOURCE_KEYS and set(uploaded["read"]) == READ_KEYS
        other = client.post("/api/v1/sources", json={"url": server.url("/m.ics")}, headers=auth).json()
        assert other.keys() == added.keys() and other["last_status"] == added["last_status"] == "new"
