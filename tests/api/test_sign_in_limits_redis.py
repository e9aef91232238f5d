"""The sign-in limiter in Redis: counts shared by separate clients (as separate API processes), no
failure lost when many count at once, keys that expire once idle, no key material stored — and a
Redis that does not answer costs no sign-in its answer (the database counts instead)."""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from domain.guards.backoff import Backoff
from integrations.queue.failures import PREFIX, RedisFailureCounter
from integrations.storage.failures import DatabaseFailureCounter
from service.access import accounts, keys
from service.access.throttle import FallbackFailureCounter
from service.settings import Settings
from tests.api.conftest import SIGNIN_REDIS_URL, Clock, User
from tests.api.live import free_port
from tests.api.test_sign_in_limits import _bad_api, _dashboard

NOW = 1_800_000_000.0  # a frozen `now`: nothing decays between the failures of one test
KEYS = ["addr:203.0.113.7", "handle:ann@example.com"]


def _client() -> redis.Redis:
    return redis.Redis.from_url(SIGNIN_REDIS_URL, decode_responses=True)


def _row(client: redis.Redis, key: str) -> dict[str, str]:
    return dict(client.hgetall(PREFIX + hashlib.sha256(key.encode()).hexdigest()))


def test_two_clients_see_the_same_counts(signin_redis: redis.Redis) -> None:
    one, other = RedisFailureCounter(_client()), RedisFailureCounter(_client())  # two API processes
    for _ in range(4):
        assert one.retry_after(KEYS, NOW) == 0.0
        one.failed(KEYS, NOW)
    assert other.retry_after(KEYS[:1], NOW) == 1.0  # the fourth failure: the first wait, seen by the other
    other.failed(KEYS, NOW)
    assert one.retry_after(KEYS[1:], NOW) == 2.0
    other.forget(KEYS[1:])
    assert one.retry_after(KEYS[1:], NOW) == 0.0
    assert one.retry_after(KEYS[:1], NOW) == 2.0  # forgetting the handle kept the address


def test_concurrent_failures_all_count(signin_redis: redis.Redis) -> None:
    threads, each = 8, 10
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def fail() -> None:
        counter = RedisFailureCounter(_client())  # a client per thread: separate connections, like processes
        start.wait()
        try:
            for _ in range(each):
                counter.failed(KEYS, NOW)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    workers = [threading.Thread(target=fail) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    for key in KEYS:
        assert float(_row(signin_redis, key)["count"]) == threads * each


def test_keys_expire_once_the_backoff_would_call_them_idle(signin_redis: redis.Redis) -> None:
    policy = Backoff()
    counter = RedisFailureCounter(signin_redis, policy)
    count, blocked_until = 0.0, NOW
    for _ in range(6):
        counter.failed(KEYS, NOW)
        count, blocked_until = policy.after_failure(count, NOW, NOW)
    expected_ms = math.ceil(policy.idle_in(count, blocked_until, NOW) * 1000)
    names = list(signin_redis.scan_iter(f"{PREFIX}*"))
    assert len(names) == 2
    for name in names:
        assert expected_ms - 1000 < signin_redis.pttl(name) <= expected_ms  # 6 failures: 6 minutes

    quick = RedisFailureCounter(signin_redis, Backoff(forgive_every=0.05))  # idle after 50 ms
    signin_redis.flushdb()
    quick.failed(KEYS, time.time())
    assert len(list(signin_redis.scan_iter(f"{PREFIX}*"))) == 2
    deadline = time.monotonic() + 5
    while list(signin_redis.scan_iter(f"{PREFIX}*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert list(signin_redis.scan_iter(f"{PREFIX}*")) == []


@pytest.fixture
def redis_web(tmp_path: Path, clock: Clock, sqlite_url: str, signin_redis: redis.Redis) -> Iterator[FastAPI]:
    app = create_app(Settings(home=tmp_path, database_url=sqlite_url, redis_url=SIGNIN_REDIS_URL), clock)
    yield app
    app.state.netgoals.close()


def _user(app: FastAPI) -> User:
    account = accounts.add_user(app.state.netgoals, "ann@example.com", "Europe/Berlin")
    return User(account.user.user_id, account.user.handle, account.token)


def test_redis_holds_no_addresses_emails_or_tokens(redis_web: FastAPI, signin_redis: redis.Redis) -> None:
    ann = _user(redis_web)
    secrets = ["203.0.113.7", ann.email, "wrong-token-for-ann", "not-a-token", ann.token]
    secrets.append(keys.token_hash("wrong-token-for-ann"))  # not even the database's token hash
    with TestClient(redis_web, client=("203.0.113.7", 40000)) as client:
        assert _bad_api(client, "not-a-token") == 401
        assert _dashboard(client, ann.email, "wrong-token-for-ann") == 401
        assert _dashboard(client, ann.email, ann.token) == 303
    names = list(signin_redis.scan_iter("*"))
    assert names and all(name.startswith(PREFIX) for name in names)
    stored = " ".join([*names, *(str(signin_redis.hgetall(name)) for name in names)]).lower()
    for secret in secrets:
        assert secret.lower() not in stored


def test_a_redis_that_does_not_answer_costs_no_sign_in_its_answer(
    tmp_path: Path, clock: Clock, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    closed = f"redis://127.0.0.1:{free_port()}/13"  # nothing listens there
    app = create_app(Settings(home=tmp_path, database_url=sqlite_url, redis_url=closed), clock)
    ann = _user(app)
    caplog.set_level(logging.INFO, logger="netgoals.throttle")
    try:
        with TestClient(app, client=("203.0.113.7", 40000)) as client, TestClient(app) as browser:
            # Counted in the database meanwhile: still slowed, never a 500.
            assert [_bad_api(client, "not-a-token") for _ in range(5)] == [401, 401, 401, 401, 429]
            assert client.get("/api/v1/me", headers=ann.headers).status_code == 200
            assert _dashboard(browser, ann.email, "wrong-token-for-ann") == 401
            assert _dashboard(browser, ann.email, ann.token) == 303
    finally:
        app.state.netgoals.close()
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]  # one line per outage, not per sign-in
    line = warnings[0].getMessage()
    assert "ConnectionError" in line
    for secret in ("203.0.113.7", ann.email, "not-a-token", "wrong-token-for-ann", closed):
        assert secret not in line


class _Flaky:
    """A counter that fails like an unreachable Redis while `down` is set."""

    def __init__(self) -> None:
        self.down = True
        self.calls = 0

    def retry_after(self, keys: object, now: float) -> float:
        self.calls += 1
        if self.down:
            raise redis.ConnectionError("Error 111 connecting to 10.0.0.1:6379.")
        return 0.0

    def failed(self, keys: object, now: float) -> None:
        self.retry_after(keys, now)

    def forget(self, keys: object) -> None:
        self.retry_after(keys, 0.0)


def test_the_fallback_rests_redis_after_an_error_and_returns_to_it(
    sqlite_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    flaky = _Flaky()
    counter = FallbackFailureCounter(flaky, DatabaseFailureCounter(sqlite_engine), rest=0.2)
    caplog.set_level(logging.INFO, logger="netgoals.throttle")
    counter.failed(KEYS, NOW)
    for _ in range(5):
        counter.failed(KEYS, NOW)
    assert flaky.calls == 1  # resting: no timeout paid per sign-in
    assert counter.retry_after(KEYS, NOW) == 4.0  # the six failures went to the fallback
    time.sleep(0.25)
    flaky.down = False
    assert counter.retry_after(KEYS, NOW) == 0.0  # the primary answers again
    assert flaky.calls == 2
    levels = [r.levelname for r in caplog.records]
    assert levels == ["WARNING", "INFO"]
