"""Slowing failed sign-ins without locking anyone out who holds the right credential.

Failures are counted separately per client address, per presented credential (its hash) and, on
the dashboard, per handle; counts decay with time (`domain.backoff`). A valid credential always
gets through — tokens are 256-bit random, so throttling is about noise and abuse, not guessing,
and three typos behind an office NAT must not lock out everyone else there. Only refusals wait.

The counts live behind `FailureCounter`, so every API process sees the same ones: the database
now (`integrations.storage.failures`), Redis when the workers arrive.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Protocol

from integrations.storage.failures import DatabaseFailureCounter
from service import accounts
from service.app import App


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


def shared_counter(app: App) -> FailureCounter:
    return DatabaseFailureCounter(app.engine)


def _keys(address: str, credential: str, handle: str | None = None) -> list[str]:
    keys = [f"addr:{address}", f"credential:{accounts.digest(credential)}"]
    if handle is not None:
        keys.append(f"handle:{handle.strip().lower()}")
    return keys


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
