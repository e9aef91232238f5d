"""A real HTTP server in front of Radicale that imitates what real CalDAV services do differently.

Every request is forwarded to Radicale (credentials included) and its answer passed back, except
where a quirk is switched on:

- `no_mkcalendar`: MKCALENDAR answers 403 (iCloud, many shared hostings) or 405 (`mkcalendar_status`).
- `no_freebusy`: a free-busy-query REPORT answers 501 (or `freebusy_status`, 403 as some do).
- `sync_extra`: an incremental sync-collection answer also lists every unchanged object (as some
  servers answer a sync with more than changed).
- `sync_invalid`: a sync-collection with a token answers 403 with DAV:valid-sync-token (the token
  was forgotten: Nextcloud after a cleanup, Radicale after its cache is removed).
- `fail_next(status, n, retry_after)`: the next n requests answer 503 or 429 with Retry-After.
- `no_put_etag`: a PUT's answer has no ETag header (the object was changed on write, RFC 4791 §5.3.4).
- `hold(method, nth, containing)`: the nth such request waits at the proxy until released, then goes
  on to the server (a client killed meanwhile never sees the answer the server acted on).
- `before_answer`: called on each request's thread before it is answered (a test's turnstile,
  `tests/turnstile.py`, holds every request there while it looks at the database).

`requests` records method, path and status of each request, so a test can see what a client did
(and that it did not hammer the server).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from tests.caldav.servers import Server

# Headers that belong to one hop, not to the request or answer (RFC 9110 §7.6.1).
HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


@dataclass
class Seen:
    method: str
    path: str
    status: int
    at: float


@dataclass
class Hold:
    """One request to stop at the proxy: `arrived` is set when it comes, it goes on at `release`."""

    method: str
    countdown: int  # how many matching requests pass first
    containing: bytes = b""
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@dataclass
class Quirks:
    no_mkcalendar: bool = False
    mkcalendar_status: int = 403
    no_freebusy: bool = False
    freebusy_status: int = 501
    sync_extra: bool = False
    sync_invalid: bool = False
    no_put_etag: bool = False
    failures: list[tuple[int, float]] = field(default_factory=list)  # (status, retry_after) per request
    holds: list[Hold] = field(default_factory=list)


class QuirksProxy:
    """Use as a context manager; `server` is a `Server` like the one behind it, at the proxy's URL."""

    def __init__(self, upstream: Server) -> None:
        self.upstream = upstream
        self.quirks = Quirks()
        self.requests: list[Seen] = []
        self.before_answer: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._http = httpx.Client(base_url=upstream.base_url, verify=upstream.verify, timeout=30)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        port = self._httpd.server_address[1]
        self.server = Server(
            "quirks",
            f"http://127.0.0.1:{port}/",
            upstream.username,
            upstream.password,
            upstream.home_path,
        )
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="quirks-proxy"
        )

    def __enter__(self) -> QuirksProxy:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        for held in self.quirks.holds:
            held.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._http.close()

    def fail_next(self, status: int, count: int = 1, retry_after: float = 1) -> None:
        """The next `count` requests answer `status` (503, 429) with Retry-After."""
        with self._lock:
            self.quirks.failures.extend([(status, retry_after)] * count)

    def hold(self, method: str, nth: int = 1, containing: bytes = b"") -> Hold:
        """Stop the nth `method` request (whose body has `containing`) until `release` is set."""
        held = Hold(method, nth - 1, containing)
        with self._lock:
            self.quirks.holds.append(held)
        return held

    def _wait_if_held(self, method: str, body: bytes) -> None:
        with self._lock:
            held = None
            for candidate in self.quirks.holds:
                if (
                    candidate.method == method
                    and candidate.containing in body
                    and not candidate.arrived.is_set()
                ):
                    if candidate.countdown == 0:
                        held = candidate
                    else:
                        candidate.countdown -= 1
                    break
        if held is not None:
            held.arrived.set()
            held.release.wait(60)

    def seen(self, method: str | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self.requests if method is None or s.method == method]

    # --- one request ---------------------------------------------------------------------------

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        quirks = self.quirks
        self._wait_if_held(method, body)
        if self.before_answer is not None:
            self.before_answer()
        with self._lock:
            failure = quirks.failures.pop(0) if quirks.failures else None
        if failure is not None:
            status, retry_after = failure
            return status, {"Retry-After": f"{retry_after:g}", "Content-Type": "text/plain"}, b"try later\n"
        if method == "MKCALENDAR" and quirks.no_mkcalendar:
            return (
                quirks.mkcalendar_status,
                {"Content-Type": "text/plain"},
                b"calendars cannot be created here\n",
            )
        if method == "REPORT" and b"free-busy-query" in body and quirks.no_freebusy:
            return quirks.freebusy_status, {"Content-Type": "text/plain"}, b"free-busy-query not supported\n"
        is_sync = method == "REPORT" and b"sync-collection" in body
        token = _sync_token(body) if is_sync else ""
        if is_sync and token and quirks.sync_invalid:
            error = (
                b'<?xml version="1.0" encoding="utf-8"?>'
                b'<D:error xmlns:D="DAV:"><D:valid-sync-token/></D:error>'
            )
            return 403, {"Content-Type": "application/xml; charset=utf-8"}, error
        status, answer_headers, content = self._forward(method, path, headers, body)
        if is_sync and token and quirks.sync_extra and status == 207:
            full_status, _h, full = self._forward(method, path, headers, _with_token(body, ""))
            if full_status == 207:
                content = _merge_responses(content, full)
        if method == "PUT" and quirks.no_put_etag:
            answer_headers = {k: v for k, v in answer_headers.items() if k.lower() != "etag"}
        return status, answer_headers, content

    def _forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        sent = {k: v for k, v in headers.items() if k.lower() not in HOP | {"host", "content-length"}}
        answer = self._http.request(method, path, headers=sent, content=body)
        kept = {
            k: v
            for k, v in answer.headers.items()
            if k.lower() not in HOP | {"content-length", "content-encoding"}
        }
        return answer.status_code, kept, answer.content

    def record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.requests.append(Seen(method, path, status, time.monotonic()))


def _sync_token(body: bytes) -> str:
    found = re.search(rb"<(?:\w+:)?sync-token[^>]*>([^<]*)</", body)
    return found.group(1).decode().strip() if found else ""


def _with_token(body: bytes, token: str) -> bytes:
    return re.sub(
        rb"(<(?:\w+:)?sync-token[^>]*>)[^<]*(</)",
        lambda m: m.group(1) + token.encode() + m.group(2),
        body,
        count=1,
    )


def _merge_responses(changed: bytes, full: bytes) -> bytes:
    """The incremental answer (its token kept) with every <response> of the full listing added."""
    prefix_match = re.search(rb"<(\w+:)?response[\s>]", full)
    if prefix_match is None:
        return changed
    prefix = prefix_match.group(1) or b""
    extra = re.findall(
        rb"<" + re.escape(prefix) + rb"response[\s>].*?</" + re.escape(prefix) + rb"response>", full, re.S
    )
    closing = changed.rfind(b"</")
    return changed[:closing] + b"".join(extra) + changed[closing:]


def _handler_for(proxy: QuirksProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k: v for k, v in self.headers.items()}
            try:
                status, answer_headers, content = proxy.answer(self.command, self.path, headers, body)
            except httpx.HTTPError as exc:
                status, answer_headers, content = 502, {"Content-Type": "text/plain"}, str(exc).encode()
            proxy.record(self.command, self.path, status)
            self.send_response(status)
            for name, value in answer_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)

        do_GET = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_POST = _any  # noqa: N815
        do_PROPFIND = do_PROPPATCH = do_REPORT = do_MKCALENDAR = do_MKCOL = do_MOVE = do_COPY = _any  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: `proxy.requests` is the log."""

    return Handler
