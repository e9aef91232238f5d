"""Failed sign-in counts in Redis, so every API process on the same Redis sees the same counts.

Keys (a client address, a presented credential, a handle) are stored only as SHA-256 hashes under
`netgoals:signin:`: Redis holds no addresses, emails or token material. Each key is a small hash
{count, last, blocked_until}. A failure is one optimistic transaction over all its keys (WATCH,
read, let `domain.guards.backoff` decide, MULTI/EXEC the writes), retried when another process changed a
key in between: concurrent failures all count, and the arithmetic stays in Python, in one place (no
second copy of it in Lua). Every key expires once the backoff would find it idle anyway, so Redis
never piles up old keys and needs no purge.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable

import redis
from redis.typing import EncodableT, FieldT

from domain.guards.backoff import Backoff

PREFIX = "netgoals:signin:"
_ATTEMPTS = 100  # optimistic rounds before giving up; each lost round means another failure counted


def _hashed(keys: Iterable[str]) -> list[str]:
    return sorted({PREFIX + hashlib.sha256(key.encode("utf-8", "replace")).hexdigest() for key in keys})


def _number(value: str | bytes | None, default: float) -> float:
    return default if value is None else float(value)  # float() reads bytes too (decode_responses off)


class RedisFailureCounter:
    """The Redis implementation of `service.access.throttle.FailureCounter`."""

    def __init__(self, client: redis.Redis, policy: Backoff | None = None) -> None:
        self.client = client
        self.policy = policy or Backoff()

    def retry_after(self, keys: Iterable[str], now: float) -> float:
        """Seconds until another failure may be counted for these keys (0: go ahead)."""
        pipe = self.client.pipeline(transaction=False)  # one round trip; a read needs no isolation
        for name in _hashed(keys):
            pipe.hget(name, "blocked_until")
        longest = max((_number(value, now) for value in pipe.execute()), default=now)
        return max(0.0, longest - now)

    def failed(self, keys: Iterable[str], now: float) -> None:
        names = _hashed(keys)
        if not names:
            return
        with self.client.pipeline() as pipe:
            for attempt in range(_ATTEMPTS):
                try:
                    pipe.watch(*names)  # type: ignore[no-untyped-call]  # EXEC fails if any changes first
                    rows = [pipe.hmget(name, "count", "last") for name in names]  # immediate while watching
                    pipe.multi()
                    for name, (count, last) in zip(names, rows, strict=True):
                        self._count(pipe, name, _number(count, 0.0), _number(last, now), now)
                    pipe.execute()
                    return
                except redis.WatchError:
                    if attempt == _ATTEMPTS - 1:
                        raise  # a RedisError: the caller's fallback counts this one
                    # another process counted first: read again and count on top of theirs

    def forget(self, keys: Iterable[str]) -> None:
        names = _hashed(keys)
        if names:
            self.client.delete(*names)

    def close(self) -> None:
        self.client.close()

    def _count(self, pipe: redis.client.Pipeline, name: str, count: float, last: float, now: float) -> None:
        count, blocked_until = self.policy.after_failure(count, last, now)
        values: dict[FieldT, EncodableT] = {"count": count, "last": now, "blocked_until": blocked_until}
        pipe.hset(name, mapping=values)
        # Forgotten by Redis once the backoff would call it idle (in ms, rounded up: never early).
        pipe.pexpire(name, max(1, math.ceil(self.policy.idle_in(count, blocked_until, now) * 1000)))
