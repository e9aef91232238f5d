"""The web routes (consent, callback, webhook, JSON status) and the CLI (loopback connect, sync,
suggestions), through the real client libraries and the fake; secrets stay out of tables and logs."""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from typer.testing import CliRunner

from api.app import create_app
from cli import google as google_cli
from cli.main import app as cli
from integrations.storage.secrets import SecretKeyMissingError
from service import google
from service.access import accounts
from service.settings import Settings
from tests.api.conftest import User
from tests.api.test_dashboard import sign_in
from tests.conftest import FixedClock
from tests.fakes.google_calendar import GoogleCalendarFake
from tests.google.conftest import ADA, NOW, TZ, World, settings_for
from tests.shape_api import api_for, cli_json

BERLIN = ZoneInfo(TZ)


def test_web_connect_callback_status_and_webhook(fake: GoogleCalendarFake, tmp_path: Path) -> None:
    clock = FixedClock(NOW)
    web = create_app(settings_for(fake, tmp_path), clock)
    service = web.state.netgoals
    account = accounts.add_user(service, ADA, TZ)
    headers = {"Authorization": f"Bearer {account.token}"}
    with TestClient(web) as client:
        assert client.get("/api/v1/google", headers=headers).json()["status"] == "not-connected"
        url = client.post("/api/v1/google/connect", headers=headers).json()["url"]
        location = httpx.get(url).headers["location"]
        assert location.startswith("http://127.0.0.1:8000/oauth/google/callback?")
        query = dict(parse_qsl(urlsplit(location).query))
        # A flow started through the API finishes in a dashboard session of the same user.
        sign_in(client, User(account.user.user_id, ADA, account.token))
        answer = client.get("/oauth/google/callback", params=query, follow_redirects=False)
        assert answer.status_code == 303
        assert client.get("/oauth/google/callback", params=query).status_code == 400  # state used once
        assert client.get("/api/v1/google", headers=headers).json()["status"] == "connected"

        context = google.Google.open(settings_for(fake, tmp_path), sleep=lambda _s: None)
        report = google.sync_once(service, context, account.user.user_id)
        assert report.error is None
        channels = fake.active_channels(ADA)
        assert len(channels) == 2  # primary and Networking goals
        with fake._lock:
            channel = fake._channels[channels[0]["id"]]
        bad = {
            "X-Goog-Channel-ID": channel.id,
            "X-Goog-Channel-Token": "wrong",
            "X-Goog-Resource-State": "exists",
        }
        assert client.post("/webhooks/google", headers=bad).status_code == 404
        good = {**bad, "X-Goog-Channel-Token": channel.token or ""}
        assert client.post("/webhooks/google", headers=good).status_code == 204
        assert google.sync_requested(service) == [account.user.user_id]
        assert client.post("/api/v1/google/disconnect", headers=headers).json() == {"disconnected": True}
        assert fake.active_channels(ADA) == []
        assert fake.granted_scopes(ADA) == []  # revoked at Google
    service.close()


def test_a_server_database_without_a_secret_key_refuses_to_start(
    fake: GoogleCalendarFake, tmp_path: Path
) -> None:
    settings = settings_for(fake, tmp_path, database_url=f"sqlite:///{tmp_path / 'server.db'}")
    with pytest.raises(SecretKeyMissingError):
        create_app(settings)
    keyed = settings_for(
        fake, tmp_path, database_url=f"sqlite:///{tmp_path / 'server.db'}", secret_key="correct horse battery"
    )
    create_app(keyed).state.netgoals.close()


def test_embedded_mode_keeps_a_private_key_file(world: World, tmp_path: Path) -> None:
    key = tmp_path / "home" / "secret.key"
    assert key.exists()
    assert key.stat().st_mode & 0o777 == 0o600


def test_secrets_never_reach_tables_log_or_logs(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    world.goal("monthly-event")
    world.connect()
    world.fake.expire_access_tokens(ADA)  # forces a refresh: a new access token is stored
    world.sync()
    with world.fake._lock:
        secrets_ = [*world.fake._access_tokens, *world.fake._refresh_tokens, world.fake.client_secret]
    dump = []
    with world.app.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            dump += [repr(tuple(row)) for row in connection.execute(text(f'SELECT * FROM "{table}"'))]
    everything = "\n".join(dump) + caplog.text
    assert secrets_ and not [s for s in secrets_ if s in everything]


def _cli_against_the_fake(
    fake: GoogleCalendarFake, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI as Ada, against the Google fake, on `settings`' home; the browser it opens approves."""
    for name, value in {
        "NETGOALS_HOME": str(settings.home),
        "NETGOALS_USER": ADA,
        "NETGOALS_NOW": NOW.isoformat(),
        "NETGOALS_GOOGLE_CLIENT_ID": fake.client_id,
        "NETGOALS_GOOGLE_CLIENT_SECRET": fake.client_secret,
        "NETGOALS_GOOGLE_AUTH_URI": fake.auth_uri,
        "NETGOALS_GOOGLE_TOKEN_URI": fake.token_uri,
        "NETGOALS_GOOGLE_REVOKE_URI": fake.revoke_uri,
        "NETGOALS_GOOGLE_API_ENDPOINT": fake.api_url,
        "NETGOALS_PUBLIC_URL": "https://netgoals.invalid",  # no push channels from the CLI tests
    }.items():
        monkeypatch.setenv(name, value)

    def browser(url: str) -> bool:  # the person approves in their browser
        threading.Thread(target=lambda: httpx.get(url, follow_redirects=True), daemon=True).start()
        return True

    monkeypatch.setattr(google_cli.webbrowser, "open", browser)


def test_cli_connect_sync_and_suggestions(
    fake: GoogleCalendarFake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(fake, tmp_path / "home")
    _cli_against_the_fake(fake, settings, monkeypatch)
    runner = CliRunner()

    def run(args: list[str]) -> str:
        result = runner.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, (args, result.exit_code, result.output)
        return result.output

    def google_status() -> str:
        found: str = json.loads(run(["google", "status", "--json"]))["status"]
        return found

    run(["init", "--timezone", TZ])
    run(["goal", "add", "--template", "monthly-event"])
    fake.add_event(
        ADA,
        {
            "summary": "Data Science Meetup",
            "start": {"dateTime": datetime(2026, 11, 25, 18, tzinfo=BERLIN).isoformat()},
            "end": {"dateTime": datetime(2026, 11, 25, 20, tzinfo=BERLIN).isoformat()},
            "organizer": {"email": "host@meetup.com"},
            "attendees": [
                {"email": ADA, "responseStatus": "accepted"},
                {"email": "lin@data.org", "displayName": "Lin", "responseStatus": "accepted"},
            ],
        },
    )
    output = run(["google", "connect", "--timeout", "20"])
    assert "Google Calendar connected" in output
    assert "1 done" in output
    assert google_status() == "connected"
    assert "Google Calendar: connected" in run(["google", "status"])
    assert "no changes" not in run(["sync"])
    met = " ".join(run(["suggestions"]).split())
    assert "lin@data.org" in met and "2026-11-25 18:00 CET" in met  # met in Berlin, said in Berlin's time
    output = run(["suggestions", "add", "lin@data.org"])
    assert "Follow-up planned" in output
    assert "lin@data.org" not in run(["suggestions"])
    assert "1 pushed" in run(["sync", "--user", ADA])
    assert "Google Calendar disconnected" in run(["google", "disconnect"])
    assert google_status() == "disconnected"
    assert "Google Calendar was not connected" in run(["google", "disconnect"])  # twice: nothing to do


def test_google_status_over_the_cli_is_the_apis_two_answers_merged(
    fake: GoogleCalendarFake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One shape per resource (issue 25): `google status --json` dumps GoogleOverviewOut, the
    API's status (GET /api/v1/google) and freshness (GET /api/v1/google/sync) merged as before."""
    settings = settings_for(fake, tmp_path / "home", public_url="https://netgoals.invalid")
    _cli_against_the_fake(fake, settings, monkeypatch)
    runner = CliRunner()
    met = datetime(2026, 11, 25, 18, tzinfo=BERLIN)
    fake.add_event(
        ADA,
        {
            "summary": "Data Science Meetup",
            "start": {"dateTime": met.isoformat()},
            "end": {"dateTime": met.replace(hour=20).isoformat()},
            "organizer": {"email": "host@meetup.com"},
            "attendees": [{"email": ADA, "responseStatus": "accepted"}]
            + [{"email": e, "responseStatus": "accepted"} for e in ("lin@data.org", "kai@data.org")],
        },
    )
    for args in (
        ["init", "--timezone", TZ],
        ["goal", "add", "--template", "monthly-event"],
        ["google", "connect", "--timeout", "20"],  # no worker: syncs once here
    ):
        assert runner.invoke(cli, args, catch_exceptions=False).exit_code == 0, args

    def both(client: TestClient, auth: dict[str, str]) -> dict[str, object]:
        status = client.get("/api/v1/google", headers=auth).json()
        fresh = client.get("/api/v1/google/sync", headers=auth).json()
        return {**status, **fresh}

    shown = cli_json("google", "status")
    assert shown["status"] == "connected" and shown["last_synced_at"] and shown["last_summary"]
    assert set(shown) == {
        "status", "detail", "calendar_id", "paused_until", "sync_requested", "last_synced_at",
        "last_outcome", "last_changes", "last_summary", "mode", "poll_minutes", "sync",
    }  # fmt: skip
    with api_for(ADA, settings) as (client, auth):
        assert both(client, auth) == shown
        # adding a suggestion: the same shape (SuggestionAddedOut) from both, for two people met
        by_cli = cli_json("suggestions", "add", "lin@data.org")
        by_api = client.post("/api/v1/google/suggestions/kai@data.org/add", headers=auth)
        assert by_api.status_code == 201, by_api.text
        assert set(by_cli) == set(by_api.json()) == {"contact_id", "follow_up"}
        assert by_cli["follow_up"] and by_api.json()["follow_up"]  # ISO, as before
        datetime.fromisoformat(by_cli["follow_up"])
        assert client.post("/api/v1/google/disconnect", headers=auth).json() == {"disconnected": True}
        gone = cli_json("google", "status")
        assert gone["status"] == "disconnected" and both(client, auth) == gone
