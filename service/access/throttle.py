"""Slowing failed sign-ins without locking anyone out who holds the right credential.

Failures are counted separately per client address, per presented credential (its hash) and, on
the dashboard, per handle; counts decay with time (`domain.guards.backoff`). A valid credential always
gets through — tokens are 256-bit random, so throttling is about noise and abuse, not guessing,
and three typos behind an office NAT must not lock out everyone else there. Only refusals wait.

The counts live behind `FailureCounter`, so every API process sees the same ones: in Redis when
the settings name one (`integrations.queue.failures`; `netgoals serve` hands its embedded Redis to
the API), in the database when the API runs alone without NETGOALS_REDIS_URL
(`integrations.storage.failures`). A Redis that does not answer falls back to the database for
that call: a limiter outage never turns a sign-in into a 500.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

import redis

from integrations.queue.failures import RedisFailureCounter
from integrations.queue.urls import client_for
from integrations.storage.failures import DatabaseFailureCounter
from service.access import accounts
from service.access.keys import token_hash
from service.app import App
from service.settings import Settings

log = logging.getLogger("netgoals.throttle")
T = TypeVar("T")
_REDIS_TIMEOUT = 1.0  # seconds a sign-in waits for Redis before the database counts instead
_REST_AFTER_ERROR = 5.0  # seconds on the database after a Redis error, before Redis is tried again


class FailureCounter(Protocol):
    def retry_after(self, keys: Iterable[str], now: float) -> float:
        """Seconds until another failure may be counted for any of these keys (0: go ahead)."""
        ...

    def failed(self, keys: Iterable[str], now: float) -> None: ...

    def forget(self, keys: Iterable[str]) -> None: ...


class ThrottledError(Exception):
    """Too many recent failures: refuse without checking, and say how long to wait."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many failed sign-ins; try again in {math.ceil(retry_after)} seconds")
        self.retry_after = max(1, math.ceil(retry_after))


class FallbackFailureCounter:
    """`primary` (Redis), or `fallback` (the database) for a call the primary cannot answer.

    After an error the fallback answers alone for a few seconds, so an unreachable Redis costs one
    timeout, not one per sign-in. One warning per outage, naming the error's kind only (a message
    could carry an address or a URL)."""

    def __init__(
        self, primary: FailureCounter, fallback: FailureCounter, rest: float = _REST_AFTER_ERROR
    ) -> None:
        self.primary, self.fallback = primary, fallback
        self._rest = rest
        self._lock = threading.Lock()
        self._down_until: float | None = None  # monotonic; None while the primary answers

    def retry_after(self, keys: Iterable[str], now: float) -> float:
        keys = list(keys)
        return self._call(lambda c: c.retry_after(keys, now))

    def failed(self, keys: Iterable[str], now: float) -> None:
        keys = list(keys)
        self._call(lambda c: c.failed(keys, now))

    def forget(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        self._call(lambda c: c.forget(keys))

    def close(self) -> None:
        close(self.primary)
        close(self.fallback)

    def _call(self, call: Callable[[FailureCounter], T]) -> T:
        with self._lock:
            resting = self._down_until is not None and time.monotonic() < self._down_until
        if resting:
            return call(self.fallback)
        try:
            answer = call(self.primary)
        except redis.RedisError as exc:
            with self._lock:
                first = self._down_until is None
                self._down_until = time.monotonic() + self._rest
            if first:
                log.warning(
                    "sign-in limiter: Redis failed (%s); counting failed sign-ins in the database meanwhile",
                    type(exc).__name__,
                )
            return call(self.fallback)
        with self._lock:
            recovered, self._down_until = self._down_until is not None, None
        if recovered:
            log.info("sign-in limiter: Redis answers again; counting failed sign-ins there")
        return answer


def shared_counter(app: App, settings: Settings) -> FailureCounter:
    """Where this API process counts failed sign-ins: Redis when the settings name one (also the
    embedded one `netgoals serve` starts: it passes NETGOALS_REDIS_URL to the API), else the
    database — `netgoals api` alone has no Redis to count in."""
    database = DatabaseFailureCounter(app.engine)
    if settings.embedded_redis:
        return database
    client = client_for(settings.effective_redis_url, timeout=_REDIS_TIMEOUT)  # connects on first use
    return FallbackFailureCounter(RedisFailureCounter(client), database)


def close(counter: FailureCounter) -> None:
    """Let go of the counter's own connections (a Redis client; the engine is the App's)."""
    closer = getattr(counter, "close", None)
    if callable(closer):
        closer()


def _keys(address: str, credential: str, handle: str | None = None) -> list[str]:
    named = [f"addr:{address}", f"credential:{token_hash(credential)}"]
    if handle is not None:
        named.append(f"handle:{handle.strip().lower()}")
    return named


def _refuse(counter: FailureCounter, keys: list[str], now: float) -> None:
    wait = counter.retry_after(keys, now)
    if wait > 0:
        raise ThrottledError(wait)
    counter.failed(keys, now)


def api_user(app: App, counter: FailureCounter, token: str | None, address: str) -> str | None:
    """The user of a bearer token, or None (refused). Raises ThrottledError when this address or this
    token failed too often lately; a valid token is never throttled."""
    if not token:
        return None  # no credential: nothing to count
    user_id = accounts.authenticate(app, token)
    if user_id is not None:
        return user_id
    _refuse(counter, _keys(address, token), app.now().timestamp())
    return None


def dashboard_user(app: App, counter: FailureCounter, handle: str, token: str, address: str) -> str | None:
    """The user signing in to the dashboard with their handle and token, or None (refused).
    Raises ThrottledError when the address, the token or the handle failed too often lately; the right
    token for the handle always signs in (and clears the handle's count)."""
    keys = _keys(address, token, handle)
    user_id = accounts.sign_in(app, handle, token)
    if user_id is not None:
        counter.forget(keys[1:])  # not the address: others may share it
        return user_id
    _refuse(counter, keys, app.now().timestamp())
    return None
