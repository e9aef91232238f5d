"""Cross-cutting protection: security headers and a request body limit.

Failed sign-ins are slowed in `service.access.throttle` (counts shared by every process).

Plain ASGI middleware (no BaseHTTPMiddleware), so streaming responses and background tasks work.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]
DocumentedPaths = list[tuple[re.Pattern[str], bool, frozenset[str]]]  # (path, has parameters, methods)

MAX_BODY_BYTES = 1024 * 1024

# No inline scripts or styles anywhere: the dashboard needs no JavaScript and styles come from
# /static/app.css. SVG presentation attributes (width, fill...) are not styles and stay allowed.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)


class SecurityHeaders:
    """Adds the security headers to every HTTP response; a route may set its own CSP (the docs)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = list(_HEADERS)
                extra.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                if not static:
                    extra.append((b"cache-control", b"no-store"))
                if https:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                headers.extend((name, value) for name, value in extra if name not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Answers 413 to a request body over the limit, whether announced by Content-Length or not,
    and 422 to a JSON body holding text that cannot be encoded (a lone surrogate).

    Bodies up to the limit are read here and handed on, so the application never sees a partial one.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.limit + 1
                if declared > self.limit:
                    await _too_large(send, self.limit)
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; the app will notice on its own receive
            body = message.get("body", b"")
            size += len(body)
            if size > self.limit:
                await _too_large(send, self.limit)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        problem = _unencodable_json(scope, b"".join(chunks))
        if problem is not None:
            await _send_json(
                send, 422, {"detail": [{"loc": ["body"], "msg": problem, "type": "value_error"}]}
            )
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return dict(await receive())

        await self.app(scope, replay, send)


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _unencodable_json(scope: Scope, body: bytes) -> str | None:
    """Why a JSON body holds no valid text, or None. JSON may escape a lone UTF-16 surrogate
    (`"\\ud800"`): Python decodes it into a str that no UTF-8 encoder (the database, the error
    answer echoing it) can write, so it is refused here, before any route sees it."""
    content_type = next((v for k, v in scope.get("headers", []) if k == b"content-type"), b"")
    if b"json" not in content_type.lower():
        return None
    try:
        body.decode("utf-8")  # strict: UTF-8-encoded surrogates (ED A0 80) are not UTF-8 either
    except UnicodeDecodeError as exc:
        return f"the JSON body is not valid UTF-8 (at byte {exc.start})"
    if not _SURROGATE_ESCAPE.search(body):
        return None
    try:
        parsed = json.loads(body)
    except ValueError:
        return None  # not JSON at all: the route answers that
    if _has_surrogate(parsed):
        return "the JSON body contains an unpaired UTF-16 surrogate escape (like \\ud800), which is not text"
    return None


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


async def _send_json(
    send: Send, status: int, content: Any, extra: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    body = json.dumps(content).encode()  # ASCII: whatever it says can be written
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _too_large(send: Send, limit: int) -> None:
    detail = {"detail": f"request body too large: at most {limit} bytes"}
    await _send_json(send, 413, detail, ((b"connection", b"close"),))


class MethodNotAllowed:
    """405 with an `Allow` header listing every documented method of the path.

    Starlette answers 405 from the first route whose path matches, so `Allow` named only that
    route's methods; and a literal path such as /api/v1/goals/templates also matches the
    templated /api/v1/goals/{goal_id}, turning a wrong method into a 422 about the id. Here the
    documented routes decide (a literal path before templated ones, like most routers): the
    routes the OpenAPI document lists, read from the app's routers (not by generating the
    document, a fifth of a second of CPU per app, in every test's app and every process).
    """

    def __init__(self, app: ASGIApp, paths: DocumentedPaths) -> None:
        self.app = app
        self._paths = paths  # documented_paths(the app's routers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            allowed = _allowed_methods(self._paths, scope["path"])
            if allowed and scope["method"] not in allowed:
                headers = ((b"allow", ", ".join(sorted(allowed)).encode()),)
                await _send_json(send, 405, {"detail": "Method Not Allowed"}, headers)
                return
        await self.app(scope, receive, send)


_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def documented_paths(routers: Iterable[APIRouter]) -> DocumentedPaths:
    paths = []
    for template, methods in documented_methods(routers).items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        paths.append((re.compile(f"^{pattern}$"), "{" in template, methods))
    return paths


def documented_methods(routers: Iterable[APIRouter]) -> dict[str, frozenset[str]]:
    """Each path the OpenAPI document lists, with its methods: FastAPI documents a router's
    `APIRoute` (its path has the router's prefix) unless `include_in_schema=False`."""
    documented: dict[str, set[str]] = {}
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute) and route.include_in_schema:
                methods = {m for m in route.methods or () if m.lower() in _HTTP_METHODS}
                documented.setdefault(route.path_format, set()).update(methods)
    return {template: frozenset(methods) for template, methods in documented.items()}


def _allowed_methods(paths: DocumentedPaths, path: str) -> set[str]:
    literal: set[str] = set()
    templated: set[str] = set()
    for pattern, has_parameters, methods in paths:
        if pattern.match(path):
            (templated if has_parameters else literal).update(methods)
    return literal or templated
