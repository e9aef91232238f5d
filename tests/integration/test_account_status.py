"""`netgoals status --user NAME`: how one account stands (its Google Calendar, the blocks Google has
still to show, its calendar sources), and every time status shows in the account's zone — never
bare UTC for an account that has a zone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from typer.testing import CliRunner

from cli.main import app as cli
from integrations.queue import telemetry
from integrations.storage import calendar_store as store
from integrations.storage.database import write_transaction
from service import ical
from service.access import users
from service.app import App
from service.settings import Settings
from tests.conftest import FixedClock, machine_redis_url

SYNCED = datetime(2026, 11, 28, 6, 39, tzinfo=UTC)  # 07:39 in Berlin, 01:39 in New York
SWEPT = datetime(2026, 11, 28, 9, 5, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'netgoals.db'}",
        redis_url=machine_redis_url("workers"),
        secret_key="q",
    )


@pytest.fixture
def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    for name in ("NETGOALS_SECRET_KEY", "NETGOALS_USER", "NETGOALS_NOW"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETGOALS_HOME", str(settings.home))
    monkeypatch.setenv("NETGOALS_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("NETGOALS_REDIS_URL", settings.effective_redis_url)
    monkeypatch.setenv("NETGOALS_SECRET_KEY", "q")
    client = redis.Redis.from_url(settings.effective_redis_url)
    client.flushdb()
    telemetry.record_sweep(client, 2, now=SWEPT.timestamp())
    yield CliRunner()
    client.flushdb()
    client.close()


@pytest.fixture
def accounts(settings: Settings, clock: FixedClock) -> Iterator[App]:
    app = App.open(settings, clock)
    ann = users.register(app, "ann", "Europe/Berlin")
    users.register(app, "bob", "America/New_York")
    with write_transaction(app.engine) as connection:
        store.save_connection(connection, ann.user_id, "sealed", clock.now.isoformat())
        store.record_sync(connection, ann.user_id, SYNCED.timestamp(), "connected", {})
    ical.add_source(app, settings, ann.user_id, "https://calendar.example.org/team.ics")
    yield app
    app.close()


def test_status_for_one_account_shows_its_calendar_and_sources_in_its_zone(
    runner: CliRunner, accounts: App
) -> None:
    ann = runner.invoke(cli, ["status", "--user", "ann"])
    said = " ".join(ann.output.split())
    assert "Account ann (times in Europe/Berlin):" in said, ann.output
    assert "Google Calendar: connected, last synced 2026-11-28 07:39 CET" in said
    assert "Calendar source calendar.example.org" in said and "last read never" in said
    assert "Last sweep: 2026-11-28 10:05 CET, 2 enqueued" in said
    assert " UTC" not in said

    bob = runner.invoke(cli, ["status", "--user", "bob"])
    said = " ".join(bob.output.split())
    assert "Account bob (times in America/New_York):" in said
    assert "Google Calendar: not connected" in said and "Calendar sources: none" in said
    assert "Last sweep: 2026-11-28 04:05 EST" in said  # the same sweep, in Bob's zone

    data = json.loads(runner.invoke(cli, ["status", "--user", "ann", "--json"]).output)
    assert data["account"]["timezone"] == "Europe/Berlin"
    assert data["account"]["last_synced_at"] == "2026-11-28T07:39:00+01:00"

    unknown = runner.invoke(cli, ["status", "--user", "nobody"])
    assert unknown.exit_code == 2 and "no user 'nobody'" in unknown.output


def test_status_without_an_account_says_utc(runner: CliRunner, settings: Settings, clock: FixedClock) -> None:
    App.open(settings, clock).close()  # a store with nobody in it
    found = runner.invoke(cli, ["status"])
    assert "Last sweep: 2026-11-28 09:05 UTC, 2 enqueued" in found.output, found.output
