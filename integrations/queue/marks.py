"""Marks in Redis: "a message for this user is already queued" (debounce: a burst of push
notifications becomes one message), per-user locks, and how often a message was delivered (the cap
on redeliveries after a worker died mid-task).

Every mark expires by itself: a mark left by a lost message or a crashed worker only delays work
until the sweep (which reads the database, not Redis) sends it again.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import redis

_PREFIX = "netgoals:"


def queued_key(kind: str, user_id: str) -> str:
    return f"{_PREFIX}queued:{kind}:{user_id}"


def claim(client: redis.Redis, kind: str, user_id: str, ttl: int) -> bool:
    """True when no message of this kind is queued for the user yet (the caller sends one)."""
    return bool(client.set(queued_key(kind, user_id), "1", nx=True, ex=ttl))


def unclaim(client: redis.Redis, kind: str, user_id: str) -> None:
    """The queued message is being handled (or could not be sent): later requests send again."""
    client.delete(queued_key(kind, user_id))


_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end
"""


@contextmanager
def user_lock(client: redis.Redis, user_id: str, ttl: int) -> Iterator[bool]:
    """Yields True when this process holds the user's lock (released after, if still ours).
    It saves a second worker from syncing the same user at once; nothing depends on it."""
    key, token = f"{_PREFIX}lock:user:{user_id}", secrets.token_hex(8)
    held = bool(client.set(key, token, nx=True, ex=ttl))
    try:
        yield held
    finally:
        if held:
            client.eval(_RELEASE, 1, key, token)


def deliveries(client: redis.Redis, message_id: str, ttl: int = 86400) -> int:
    """How many times this message has started (1 the first time)."""
    key = f"{_PREFIX}deliveries:{message_id}"
    pipe = client.pipeline()
    pipe.incr(key)
    pipe.expire(key, ttl)
    count, _ = pipe.execute()
    return int(count)


def forget_deliveries(client: redis.Redis, message_id: str) -> None:
    client.delete(f"{_PREFIX}deliveries:{message_id}")
