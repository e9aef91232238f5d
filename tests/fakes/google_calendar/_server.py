"""The HTTP layer: a ThreadingHTTPServer speaking Google's OAuth, Calendar v3 and control APIs."""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlsplit

from ._backend import Backend, Caller
from ._batch import handle_batch
from ._discovery import validate_query
from ._fields import apply_fields, parse_fields
from ._util import (
    JSON,
    ApiError,
    ControlError,
    OAuthError,
    bad_request,
    google_error_body,
    not_found,
)

API_PREFIX = "/calendar/v3/"
# Discovery paths the fake knows but does not implement (answered 400 notSupportedByFake).
_UNSUPPORTED = ("import", "quickAdd", "move", "instances", "clear", "acl", "colors", "settings")

ApiCall = Callable[[Caller, dict[str, Any], JSON], JSON | None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: GoogleCalendarFake) -> None:
        self.fake = fake
        self.closed = False
        super().__init__(address, _Handler)


def route(method: str, segments: list[str], fake: Backend) -> tuple[str, ApiCall]:
    """Map an API request to its discovery method id and the backend call."""
    n = len(segments)
    if segments == ["calendars"] and method == "POST":
        return "calendars.insert", lambda c, p, b: fake.calendars_insert(c, b)
    if n == 2 and segments[0] == "calendars":
        cid = segments[1]
        if method == "GET":
            return "calendars.get", lambda c, p, b: fake.calendars_get(c, cid)
        if method == "DELETE":
            return "calendars.delete", lambda c, p, b: fake.calendars_delete(c, cid)
        if method in ("PATCH", "PUT"):
            replace = method == "PUT"
            method_id = "calendars.update" if replace else "calendars.patch"
            return method_id, lambda c, p, b: fake.calendars_change(c, cid, b, replace=replace)
    if n == 3 and segments[0] == "calendars" and segments[2] == "events":
        cid = segments[1]
        if method == "GET":
            return "events.list", lambda c, p, b: fake.events_list(c, cid, p)
        if method == "POST":
            return "events.insert", lambda c, p, b: fake.events_insert(c, cid, b)
    if n == 4 and segments[0] == "calendars" and segments[2] == "events":
        cid, eid = segments[1], segments[3]
        if eid == "watch" and method == "POST":
            return "events.watch", lambda c, p, b: fake.events_watch(c, cid, b)
        if method == "GET":
            return "events.get", lambda c, p, b: fake.events_get(c, cid, eid, p)
        if method == "DELETE":
            return "events.delete", lambda c, p, b: fake.events_delete(c, cid, eid)
        if method in ("PATCH", "PUT"):
            replace = method == "PUT"
            method_id = "events.update" if replace else "events.patch"
            return method_id, lambda c, p, b: fake.events_change(c, cid, eid, b, replace=replace)
    if segments[:3] == ["users", "me", "calendarList"] and method == "GET":
        if n == 3:
            return "calendarList.list", lambda c, p, b: fake.calendar_list_list(c)
        if n == 4:
            cid = segments[3]
            return "calendarList.get", lambda c, p, b: fake.calendar_list_get(c, cid)
    if segments == ["freeBusy"] and method == "POST":
        return "freebusy.query", lambda c, p, b: fake.freebusy(c, b)
    if segments == ["channels", "stop"] and method == "POST":
        return "channels.stop", lambda c, p, b: fake.channels_stop(c, b)
    if any(s in _UNSUPPORTED for s in segments) or segments[:2] == ["users", "me"]:
        raise ApiError(400, "notSupportedByFake", f"{method} {'/'.join(segments)}: not supported")
    raise not_found()


def api_call(
    fake: Backend,
    method: str,
    path: str,
    query: dict[str, list[str]],
    headers: dict[str, str],
    body: bytes,
) -> tuple[int, dict[str, str], JSON | None]:
    """Run one Calendar API request; returns status, extra headers and JSON (None: no body)."""
    try:
        segments = [unquote(s) for s in path[len(API_PREFIX) :].split("/")]
        method_id, call = route(method, segments, fake)
        query_token = query["oauth_token"][0] if query.get("oauth_token") else None
        caller = fake.authenticate(headers.get("authorization"), query_token)
        params = validate_query(method_id, query)
        selection = parse_fields(params["fields"]) if params.get("fields") else None
        payload: JSON = {}
        if method in ("POST", "PUT", "PATCH") and body.strip():
            try:
                payload = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                raise bad_request("Parse Error", "parseError") from None
            if not isinstance(payload, dict):
                raise bad_request("Parse Error", "parseError")
        result = call(caller, params, payload)
        if result is None:
            return 204, {}, None
        if selection is not None:
            result = apply_fields(result, selection)
        return 200, {}, result
    except ApiError as exc:
        return exc.code, exc.headers, exc.body()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 30
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40 ms stalls

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    # ------------------------------------------------------------------ plumbing

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "application/json; charset=UTF-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if body or status != 204:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(data).encode(), headers=headers)

    def _handle(self) -> None:
        fake = self.server.fake
        if self.server.closed:
            self.close_connection = True
            return
        override = self.headers.get("X-HTTP-Method-Override")
        if self.command == "POST" and override:
            self.command = override.upper()
        parts = urlsplit(self.path)
        path = parts.path
        query = parse_qs(parts.query, keep_blank_values=True)
        body = self._read_body()
        if path.startswith("/_control/") or path == "/_control":
            self._control(path, query, body)
            return
        fake.record_request(self.command, unquote(path), query)
        with fake.answering():
            self._answer(path, query, body)

    def _answer(self, path: str, query: dict[str, list[str]], body: bytes) -> None:
        fake = self.server.fake
        fault = fake.take_fault(self.command, unquote(path))
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.kind == "disconnect":
                self.close_connection = True
                return
            if fault.kind != "delay":
                self._send_json(fault.status, fault.body)
                return
        try:
            self._dispatch(path, query, body)
        except ControlError as exc:
            self._send(exc.status, str(exc).encode(), "text/plain; charset=UTF-8")
        except OAuthError as exc:
            self._send_json(exc.status, exc.body(), {"Cache-Control": "no-store"})
        except Exception:  # a bug in the fake: answer 500 and show the traceback
            traceback.print_exc()
            self._send_json(500, google_error_body(500, "backendError", "The fake crashed."))

    def _dispatch(self, path: str, query: dict[str, list[str]], body: bytes) -> None:
        fake = self.server.fake
        headers = {k.lower(): v for k, v in self.headers.items()}
        if path.startswith(API_PREFIX):
            status, extra, data = api_call(fake, self.command, path, query, headers, body)
            if data is None:
                self._send(status, headers=extra)
            else:
                self._send_json(status, data, extra)
            return
        if path in ("/o/oauth2/auth", "/o/oauth2/v2/auth") and self.command == "GET":
            params = {k: v[0] for k, v in query.items()}
            location = fake.authorize(params)
            self._send(302, b"", "text/html", {"Location": location})
            return
        if path == "/token" and self.command == "POST":
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
            answer = fake.token(form, self._basic_auth())
            self._send_json(200, answer, {"Cache-Control": "no-store", "Pragma": "no-cache"})
            return
        if path == "/revoke" and self.command in ("GET", "POST"):
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
            token = form.get("token") or (query.get("token") or [""])[0]
            fake.revoke(token)
            self._send_json(200, {})
            return
        if path in ("/batch/calendar/v3", "/batch") and self.command == "POST":
            status, content_type, payload = handle_batch(
                fake, self.headers.get("Content-Type", ""), body, headers
            )
            self._send(status, payload, content_type)
            return
        self._send_json(404, not_found().body())

    def _basic_auth(self) -> tuple[str, str] | None:
        header = self.headers.get("Authorization", "")
        if not header.lower().startswith("basic "):
            return None
        try:
            decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client", "Unauthorized", 401) from None
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)

    # ------------------------------------------------------------------ control API

    def _control(self, path: str, query: dict[str, list[str]], body: bytes) -> None:
        try:
            payload: JSON = json.loads(body) if body.strip() else {}
            if not isinstance(payload, dict):
                raise ControlError("the body must be a JSON object")
            segments = [unquote(s) for s in path.strip("/").split("/")[1:]]
            result = control(self.server.fake, self.command, segments, payload)
            self._send_json(200, result)
        except ControlError as exc:
            self._send_json(exc.status, {"error": str(exc)})
        except (ValueError, TypeError, KeyError) as exc:
            self._send_json(400, {"error": f"{type(exc).__name__}: {exc}"})


def control(fake: Backend, method: str, segments: list[str], body: JSON) -> Any:
    """The JSON control API under /_control/ (see the package docstring)."""
    n = len(segments)
    if segments == ["state"] and method == "GET":
        return {
            "users": {email: _calendars_with_events(fake, email) for email in fake_users(fake)},
            "current_user": fake.current_user,
            "max_page_size": fake.max_page_size,
            "channels": fake.active_channels(),
        }
    if segments == ["overlap"] and method in ("GET", "DELETE"):
        if method == "DELETE":
            fake.most_in_flight = 0
        return {"most_in_flight": fake.most_in_flight}
    if segments == ["users"] and method == "POST":
        fake.add_user(body["email"], time_zone=body.get("time_zone", "UTC"))
        return {"email": body["email"]}
    if segments == ["current_user"] and method in ("POST", "PUT"):
        fake.current_user = body.get("email")
        return {"current_user": fake.current_user}
    if segments == ["settings"] and method == "POST":
        for key in ("max_page_size", "require_pkce", "require_state", "deny_consent", "latency"):
            if key in body:
                setattr(fake, key, body[key])
        return {"ok": True}
    if segments == ["faults"]:
        if method == "DELETE":
            fake.clear_faults()
            return {"ok": True}
        if method == "POST":
            fake.inject_fault(
                body["kind"],
                method=body.get("method"),
                path=body.get("path"),
                count=body.get("count", 1),
                delay=float(body.get("delay", 0.0)),
                body=body.get("body"),
            )
            return {"ok": True}
    if segments == ["requests"]:
        if method == "DELETE":
            fake.clear_requests()
            return {"ok": True}
        if method == "GET":
            return [r._asdict() for r in fake.requests]
    if segments == ["notifications"] and method == "GET":
        return [asdict(n) for n in fake.notifications]
    if segments == ["expire_access_tokens"] and method == "POST":
        fake.expire_access_tokens(body.get("email"))
        return {"ok": True}
    if segments == ["advance_clock"] and method == "POST":
        fake.advance_clock(float(body["seconds"]))
        return {"ok": True}
    if n >= 2 and segments[0] == "users":
        email = segments[1]
        if segments[2:] == ["revoke_access"] and method == "POST":
            fake.revoke_access(email)
            return {"ok": True}
        if segments[2:] == ["calendars"]:
            if method == "GET":
                return fake.list_calendars(email)
            if method == "POST":
                cid = fake.add_calendar(
                    email,
                    body["summary"],
                    calendar_id=body.get("id"),
                    time_zone=body.get("time_zone"),
                )
                return {"id": cid}
        if n >= 4 and segments[2] == "calendars":
            return _control_calendar(fake, method, email, segments[3], segments[4:], body)
    raise ControlError(f"unknown control endpoint {method} /_control/{'/'.join(segments)}", 404)


def _calendars_with_events(fake: Backend, email: str) -> list[JSON]:
    """Each calendar with its events in brief (what, when, status), so a person can see, for
    example, the blocks netgoals planned into its "Networking goals" calendar."""
    found = []
    for calendar in fake.list_calendars(email):
        events = fake.list_events(email, calendar_id=calendar["id"], include_deleted=True)
        brief = [
            {
                "id": e.get("id"),
                "summary": e.get("summary"),
                "start": (e.get("start") or {}).get("dateTime") or (e.get("start") or {}).get("date"),
                "end": (e.get("end") or {}).get("dateTime") or (e.get("end") or {}).get("date"),
                "status": e.get("status"),
            }
            for e in events
        ]
        found.append({**calendar, "events": brief})
    return found


def fake_users(fake: Backend) -> list[str]:
    with fake._lock:
        return list(fake._users)


def _control_calendar(fake: Backend, method: str, email: str, cid: str, rest: list[str], body: JSON) -> Any:
    if rest == ["expire_sync_tokens"] and method == "POST":
        fake.expire_sync_tokens(email, cid)
        return {"ok": True}
    if rest == ["events"]:
        if method == "GET":
            return fake.list_events(email, calendar_id=cid, include_deleted=True)
        if method == "POST":
            return fake.add_event(email, body, calendar_id=cid)
    if len(rest) >= 2 and rest[0] == "events":
        eid = rest[1]
        action = rest[2:]
        if not action:
            if method == "GET":
                return fake.get_event(email, eid, calendar_id=cid)
            if method == "PATCH":
                return fake.update_event(email, eid, body, calendar_id=cid)
            if method == "DELETE":
                fake.delete_event(email, eid, calendar_id=cid)
                return {"ok": True}
        if action == ["move"] and method == "POST":
            return fake.move_event(email, eid, start=body["start"], end=body.get("end"), calendar_id=cid)
        if action == ["cancel"] and method == "POST":
            return fake.cancel_event(email, eid, calendar_id=cid)
        if action == ["response"] and method == "POST":
            return fake.set_response_status(email, eid, body["status"], calendar_id=cid)
    raise ControlError(f"unknown control endpoint {method} .../calendars/{cid}/{'/'.join(rest)}", 404)


class GoogleCalendarFake(Backend):
    """A Google Calendar v3 + Google OAuth fake on a real local HTTP server.

    Use as a context manager (starts on host:port, port 0 = a free one) or call start()/stop().
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__()
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        if self._server is not None:
            return self
        server = _Server((self._host, self._port), self)
        self._server = server
        host = self._host if ":" not in self._host else f"[{self._host}]"
        self.base_url = f"http://{host}:{server.server_address[1]}"
        self._notifier.start()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="google-calendar-fake",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.closed = True
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._notifier.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def auth_uri(self) -> str:
        return f"{self.base_url}/o/oauth2/auth"

    @property
    def token_uri(self) -> str:
        return f"{self.base_url}/token"

    @property
    def revoke_uri(self) -> str:
        return f"{self.base_url}/revoke"

    @property
    def batch_uri(self) -> str:
        """Pass as `batch_uri` to service.new_batch_http_request (batches ignore api_endpoint)."""
        return f"{self.base_url}/batch/calendar/v3"
