"""Cross-cutting protection: security headers, a request body limit, and slowing failed sign-ins.

Plain ASGI middleware (no BaseHTTPMiddleware), so streaming responses and background tasks work.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]

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
    """Answers 413 to a request body over the limit, whether announced by Content-Length or not.

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
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return dict(await receive())

        await self.app(scope, replay, send)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"request body too large: at most {limit} bytes"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


@dataclass
class _Failures:
    count: int
    blocked_until: float
    last: float


class FailureLimiter:
    """Slows repeated failed sign-ins: after `free` failures a key (a client address, a handle) must
    wait `base * 2**n` seconds, at most `cap`, before the next attempt. A success clears the key.

    In-process memory: enough for one API process; several processes each keep their own count
    (tokens are 256-bit random, so this is about noise and abuse, not about guessing them).
    """

    def __init__(
        self,
        *,
        free: int = 3,
        base: float = 1.0,
        cap: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.free, self.base, self.cap = free, base, cap
        self._clock = clock
        self._max_keys = max_keys
        self._entries: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def retry_after(self, keys: Iterable[str]) -> int:
        """Whole seconds to wait before another attempt may be checked (0: go ahead)."""
        now = self._clock()
        with self._lock:
            waits = [e.blocked_until - now for k in keys if (e := self._entries.get(k)) is not None]
        longest = max(waits, default=0.0)
        return math.ceil(longest) if longest > 0 else 0

    def failed(self, keys: Iterable[str]) -> None:
        now = self._clock()
        with self._lock:
            if len(self._entries) >= self._max_keys:
                self._forget_idle(now)
            for key in keys:
                entry = self._entries.setdefault(key, _Failures(0, now, now))
                entry.count += 1
                entry.last = now
                if entry.count > self.free:
                    delay = min(self.cap, self.base * 2 ** min(entry.count - self.free - 1, 30))
                    entry.blocked_until = now + delay

    def succeeded(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._entries.pop(key, None)

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, e in self._entries.items() if now - e.last > 2 * self.cap]
        for key in idle:
            del self._entries[key]
        if len(self._entries) >= self._max_keys:  # still full: drop the oldest half
            oldest = sorted(self._entries, key=lambda k: self._entries[k].last)
            for key in oldest[: len(oldest) // 2]:
                del self._entries[key]
