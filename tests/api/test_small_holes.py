"""The smaller holes the probe found: OAuth secrets in the access log, a world-readable embedded
store, expired push channels accepted, and a dashboard date the API refuses."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from integrations.storage import calendar_store as store
from integrations.storage.database import write_transaction
from service.access import accounts
from service.access.keys import token_hash
from service.app import App
from service.settings import Settings
from tests.api.conftest import SIGNIN_REDIS_URL, Clock, User, event_count
from tests.api.live import LiveServer, live_server
from tests.api.test_dashboard import _csrf, sign_in
from tests.conftest import require_redis


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("live") / "home"
    home.mkdir(mode=0o755)  # as a person might have made it
    with live_server(home) as running:
        yield running


def test_the_embedded_store_is_private(server: LiveServer) -> None:
    home = Path(server.env["NETGOALS_HOME"])
    assert _mode(home) == 0o700
    made = {p.name: _mode(p) for p in home.iterdir() if p.name != "server.log"}
    assert {"netgoals.db", "netgoals.db-wal", "netgoals.db-shm"} <= set(made)
    assert made == dict.fromkeys(made, 0o600)


def test_metrics_answer_this_machine_without_a_token(server: LiveServer) -> None:
    """A real client on 127.0.0.1 reads /metrics with no token set."""
    answer = httpx.get(f"{server.base_url}/metrics")
    assert answer.status_code == 200 and "netgoals_queue_length" in answer.text


@contextmanager
def _metrics_web(
    tmp_path: Path, clock: Clock, database_url: str, token: str | None = None
) -> Iterator[FastAPI]:
    """The app with a real Redis to read the counts from (the embedded one is not running here)."""
    require_redis()
    settings = Settings(
        home=tmp_path,
        database_url=database_url,
        redis_url=SIGNIN_REDIS_URL,
        metrics_token=token,  # type: ignore[arg-type]
    )
    web = create_app(settings, clock)
    try:
        yield web
    finally:
        web.state.netgoals.close()


@pytest.mark.parametrize(
    ("address", "status"),
    [("127.0.0.1", 200), ("::1", 200), ("::ffff:127.0.0.1", 200), ("203.0.113.5", 403), ("10.0.0.2", 403)],
)
def test_without_a_token_metrics_refuse_other_machines(
    tmp_path: Path, clock: Clock, database_url: str, address: str, status: int
) -> None:
    with (
        _metrics_web(tmp_path, clock, database_url) as web,
        TestClient(web, client=(address, 40000)) as client,
    ):
        answer = client.get("/metrics")
    assert answer.status_code == status
    if status == 403:
        assert "NETGOALS_METRICS_TOKEN" in answer.text and "netgoals_" not in answer.text


def test_with_a_token_metrics_ask_everyone_for_it(tmp_path: Path, clock: Clock, database_url: str) -> None:
    with _metrics_web(tmp_path, clock, database_url, "scrape-me") as web:
        for address in ("127.0.0.1", "203.0.113.5"):
            with TestClient(web, client=(address, 40000)) as client:
                assert client.get("/metrics").status_code == 401
                assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
                answer = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
                assert answer.status_code == 200 and "netgoals_queue_length" in answer.text


def test_the_server_log_never_shows_a_capability(server: LiveServer) -> None:
    """Feed URLs in any spelling the router serves, signed links, OAuth codes and states, a token in
    a query string: none reaches the log of a real `netgoals api`. (Runs after the test above: it
    stops the shared server to read its whole log.)"""
    home = Path(server.env["NETGOALS_HOME"])
    user = server.add_user("logs@example.com")
    feed_url = httpx.get(
        f"{server.base_url}/api/v1/feed", headers={"Authorization": f"Bearer {user['token']}"}
    )
    feed_token = feed_url.json()["https"].rsplit("/", 1)[1].removesuffix(".ics")
    for spelling in (f"{feed_token}.ics", f"{feed_token}%2Eics", f"{feed_token}%2eics"):
        assert httpx.get(f"{server.base_url}/feeds/{spelling}").status_code == 200, spelling  # served
    httpx.get(f"{server.base_url}/feeds/{feed_token}.ICS")
    secrets = {
        feed_token,
        "4/0Acode-SECRET-1234",
        "state-SECRET-5678",
        "confirm-SECRET-91011",
        "unsub-SECRET-1213",
        user["token"],
    }
    httpx.get(
        f"{server.base_url}/oauth/google/callback",
        params={"state": "state-SECRET-5678", "code": "4/0Acode-SECRET-1234"},
    )
    httpx.get(f"{server.base_url}/confirm/confirm-SECRET-91011")
    httpx.get(f"{server.base_url}/updates/unsubscribe", params={"token": "unsub-SECRET-1213"})
    httpx.get(f"{server.base_url}/signin", params={"email": "logs@example.com", "token": user["token"]})
    httpx.get(f"{server.base_url}/healthz", params={"probe": "kept"})  # other query strings stay
    server.process.terminate()
    server.process.wait(timeout=10)  # flushes the log
    log = (home / "server.log").read_text()
    assert '"GET /oauth/google/callback?[redacted] HTTP/1.1" 404' in log
    assert '"GET /feeds/[redacted] HTTP/1.1" 200' in log
    assert "/healthz?probe=kept" in log
    assert [s for s in secrets if s in log] == []


def test_an_existing_world_readable_store_is_tightened(tmp_path: Path) -> None:
    home = tmp_path / "old"
    home.mkdir(mode=0o755)
    (home / "netgoals.db").touch(mode=0o644)
    app = App.open(Settings(home=home))
    accounts.add_user(app, "ann@example.com")
    app.close()
    assert _mode(home) == 0o700
    assert all(_mode(p) == 0o600 for p in home.iterdir()), {p.name: oct(_mode(p)) for p in home.iterdir()}


def test_an_expired_push_channel_is_refused(
    client: TestClient, service: App, ann: User, clock: Clock
) -> None:
    now = clock.now.timestamp()
    with write_transaction(service.engine) as connection:
        store.add_channel(
            connection, "old", ann.user_id, "primary", "r1", token_hash("t-old"), now - 30 * 86400
        )
        store.add_channel(connection, "new", ann.user_id, "primary", "r2", token_hash("t-new"), now + 86400)

    def push(channel_id: str, token: str) -> int:
        headers = {
            "X-Goog-Channel-ID": channel_id,
            "X-Goog-Channel-Token": token,
            "X-Goog-Resource-State": "exists",
        }
        return client.post("/webhooks/google", headers=headers).status_code

    assert push("old", "t-old") == 404
    assert push("new", "t-new") == 204
    clock.advance(days=2)
    assert push("new", "t-new") == 404  # it expired meanwhile


def test_the_dashboard_refuses_the_dates_the_api_refuses(client: TestClient, ann: User, service: App) -> None:
    sign_in(client, ann)
    csrf = _csrf(client.get("/").text)
    before = event_count(service)
    for day in ("0001-01-01", "1969-12-31", "2201-01-01"):
        answer = client.post("/web/actions", data={"action": "attend-event", "day": day, "csrf": csrf})
        assert answer.status_code == 422, day
        assert "year must be between 1970 and 2200" in answer.text
        api = client.post(
            "/api/v1/actions",
            json={"action": "attend-event", "at": f"{day}T12:00:00+00:00"},
            headers=ann.headers,
        )
        assert api.status_code == 422
    assert event_count(service) == before
