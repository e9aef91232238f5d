"""The `caldav` package's client sends only through netgoals' guarded session
(integrations/caldav/transport.py): a private address is refused unless allowed, an answer over
the cap is refused, a server that never answers is given up on at the deadline, and no log line of
the library (at DEBUG) carries the password or an Authorization header."""

from __future__ import annotations

import base64
import logging
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest

from domain.calendars.calendar_port import ProviderError
from integrations.caldav.discovery import find_home
from integrations.caldav.provider import CalDAVProvider
from integrations.caldav.session import Session
from integrations.caldav.transport import dav_client
from tests.caldav.servers import Server
from tests.caldav.test_contract import WINDOW
from tests.caldav.user_client import UserClient, event

BIG = 64 * 1024


class _Big(BaseHTTPRequestHandler):
    """Answers every PROPFIND with a multistatus of BIG bytes."""

    def do_PROPFIND(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        filler = b"<!--" + b"x" * BIG + b"-->"
        body = b'<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">' + filler + b"</d:multistatus>"
        self.send_response(207)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def big_server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Big)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers (the backlog holds them; nothing reads)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    listener.close()


def _propfind(session: Session, url: str) -> None:
    dav_client(session, url).propfind(url, "", depth=0)


def test_a_private_address_is_refused_when_private_is_not_allowed(big_server: str) -> None:
    with pytest.raises(ProviderError, match="private"):
        _propfind(Session("ada", "pw"), big_server)
    _propfind(Session("ada", "pw", allow_private=True), big_server)  # the same call, allowed


def test_an_answer_over_the_cap_is_refused(big_server: str) -> None:
    with pytest.raises(ProviderError, match="more than"):
        _propfind(Session("ada", "pw", allow_private=True, max_bytes=BIG // 2), big_server)
    _propfind(Session("ada", "pw", allow_private=True, max_bytes=BIG * 2), big_server)


def test_a_server_that_never_answers_is_given_up_on_at_the_deadline(silent_server: str) -> None:
    raised: list[BaseException] = []

    def call() -> None:
        try:
            _propfind(Session("ada", "pw", allow_private=True, timeout=0.5), silent_server)
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(60)  # a bound for a broken deadline, not a measurement: 0.5 s is what is asked
    assert not thread.is_alive(), "the call was still waiting on a server that never answers"
    assert len(raised) == 1 and isinstance(raised[0], ProviderError)
    assert "did not answer within 0.5 seconds" in str(raised[0])


def test_no_log_record_carries_the_password_or_an_authorization_header(
    radicale_server: Server, radicale_user: UserClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Connect, then sync, with every logger (the library's included) at DEBUG."""
    radicale_user.add(event("Meetup", datetime(2026, 10, 5, 18, tzinfo=UTC)))
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="caldav")
    session = Session(radicale_server.username, radicale_server.password, allow_private=True)
    home = find_home(session, radicale_server.base_url)
    provider = CalDAVProvider(session, radicale_server.base_url, ZoneInfo("UTC"), WINDOW, home=home)
    provider.connect()
    changes = provider.changes(radicale_user.calendar_url, None)
    assert [e.summary for e in changes.events] == ["Meetup"]
    logged = [r.getMessage() for r in caplog.records]
    assert any(r.name.startswith("caldav") for r in caplog.records)  # the library did log at DEBUG
    basic = base64.b64encode(f"{radicale_server.username}:{radicale_server.password}".encode()).decode()
    for message in logged:
        assert radicale_server.password not in message
        assert basic not in message
        assert "authorization" not in message.lower()


def test_a_kept_sync_token_costs_one_depth_0_report(
    radicale_server: Server, radicale_user: UserClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RFC 6578 §3.2: sync-collection with Depth: 0 (sabre/dav servers refuse another), and a calendar
    that has not changed is one request — the token is used, not the ETag fallback."""
    radicale_user.add(event("Meetup", datetime(2026, 10, 5, 18, tzinfo=UTC)))
    session = Session(radicale_server.username, radicale_server.password, allow_private=True)
    sent: list[tuple[str, str | None]] = []
    send = session.request

    def recording(method: str, url: str, body: bytes | str = b"", headers=None, *, depth=None):
        sent.append((method, (headers or {}).get("Depth", depth)))
        return send(method, url, body, headers, depth=depth)

    monkeypatch.setattr(session, "request", recording)
    provider = CalDAVProvider(session, radicale_server.base_url, ZoneInfo("UTC"), WINDOW)
    first = provider.changes(radicale_user.calendar_url, None)
    sent.clear()
    again = provider.changes(radicale_user.calendar_url, first.state)
    assert sent == [("REPORT", "0")]
    assert list(again.events) == [] and list(again.removed) == []
