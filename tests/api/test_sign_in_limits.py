"""Failed sign-ins are slowed per address, per presented token and per handle — but whoever
presents the right token gets in, counts decay with time, and every API process sees them.

Each test runs with the counts in the database (`netgoals api` alone) and in Redis (a Redis named
by the settings), on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from integrations.queue.failures import RedisFailureCounter
from integrations.storage.failures import DatabaseFailureCounter, sign_in_failures
from service.access.throttle import FallbackFailureCounter
from service.settings import Settings
from tests.api.conftest import SIGNIN_REDIS_URL, Clock, User
from tests.api.test_dashboard import _csrf

OFFICE = ("203.0.113.7", 40000)  # one address for everyone behind the office NAT


@pytest.fixture(params=["database", "redis"])
def counts_in(request: pytest.FixtureRequest) -> str | None:
    """The Redis URL the API is given (None: no Redis, the counts live in the database)."""
    if request.param == "database":
        return None
    request.getfixturevalue("signin_redis")  # its own db, emptied before and after
    return SIGNIN_REDIS_URL


def _settings(home: Path, database_url: str, redis_url: str | None) -> Settings:
    return Settings(home=home, database_url=database_url, secret_key="api tests", redis_url=redis_url)


@pytest.fixture
def web(tmp_path: Path, clock: Clock, database_url: str, counts_in: str | None) -> Iterator[FastAPI]:
    """The app of tests/api/conftest.py, with or without a Redis to count in."""
    app = create_app(_settings(tmp_path, database_url, counts_in), clock)
    yield app
    app.state.netgoals.close()


def _bad_api(client: TestClient, token: str = "not-a-token") -> int:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def _dashboard(client: TestClient, email: str, token: str) -> int:
    page = client.get("/signin")
    answer = client.post(
        "/signin", data={"email": email, "token": token, "csrf": _csrf(page.text)}, follow_redirects=False
    )
    return answer.status_code


def test_bad_tokens_from_one_address_do_not_lock_out_a_valid_user_there(web: FastAPI, ann: User) -> None:
    with TestClient(web, client=OFFICE) as someone, TestClient(web, client=OFFICE) as colleague:
        statuses = [_bad_api(someone) for _ in range(6)]
        assert statuses[:3] == [401, 401, 401]
        assert statuses[-1] == 429  # the address is throttled for bad tokens...
        assert colleague.get("/api/v1/me", headers=ann.headers).status_code == 200  # ...not for good ones
        assert _dashboard(colleague, ann.email, ann.token) == 303


def test_wrong_tokens_for_an_email_from_rotating_addresses_do_not_lock_its_owner_out(
    web: FastAPI, ann: User
) -> None:
    statuses = []
    for n in range(8):
        with TestClient(web, client=(f"198.51.100.{n}", 40000)) as attacker:
            statuses.append(_dashboard(attacker, ann.email, f"guess-{n}"))
    assert statuses[-1] == 429  # the handle is throttled for wrong tokens
    with TestClient(web, client=("192.0.2.1", 40000)) as ann_browser:
        assert _dashboard(ann_browser, ann.email, ann.token) == 303
        assert ann_browser.get("/").status_code == 200
    with TestClient(web, client=("198.51.100.99", 40000)) as attacker:
        assert _dashboard(attacker, ann.email, "guess-again") == 401  # her success cleared the handle


def test_the_same_bad_token_from_rotating_addresses_is_throttled(web: FastAPI) -> None:
    statuses = []
    for n in range(6):
        with TestClient(web, client=(f"198.51.100.{n}", 40000)) as client:
            statuses.append(_bad_api(client, "one-stolen-looking-token"))
    assert statuses[:3] == [401, 401, 401]
    assert statuses[-1] == 429


def test_counts_decay_with_time(web: FastAPI, clock: Clock) -> None:
    with TestClient(web) as client:
        assert [_bad_api(client) for _ in range(5)] == [401, 401, 401, 401, 429]
        clock.advance(minutes=10)  # the wait is over and ten failures are forgiven
        assert [_bad_api(client) for _ in range(3)] == [401, 401, 401]
        clock.advance(minutes=3)  # three more forgiven: three more free tries, not a longer wait
        assert [_bad_api(client) for _ in range(5)] == [401, 401, 401, 401, 429]


@pytest.fixture
def second_process(
    tmp_path: Path, clock: Clock, database_url: str, counts_in: str | None
) -> Iterator[FastAPI]:
    """Another API process on the same database (and the same Redis, if any)."""
    app = create_app(_settings(tmp_path / "other", database_url, counts_in), clock)
    yield app
    app.state.netgoals.close()


def test_every_api_process_sees_the_same_counts(web: FastAPI, second_process: FastAPI) -> None:
    with TestClient(web) as one, TestClient(second_process) as other:
        assert [_bad_api(one) for _ in range(4)] == [401, 401, 401, 401]
        answer = other.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
        assert answer.status_code == 429
        assert int(answer.headers["retry-after"]) >= 1


def test_the_counts_live_where_the_settings_say(web: FastAPI, counts_in: str | None) -> None:
    limiter = web.state.limiter
    with TestClient(web) as client:
        assert _bad_api(client) == 401
    with web.state.netgoals.engine.connect() as connection:
        rows = connection.scalar(select(func.count()).select_from(sign_in_failures))
    if counts_in is None:
        assert isinstance(limiter, DatabaseFailureCounter)
        assert rows == 2  # the address and the token
    else:
        assert isinstance(limiter, FallbackFailureCounter)
        assert isinstance(limiter.primary, RedisFailureCounter)
        assert rows == 0  # Redis answered: nothing fell back to the database
        assert len(list(limiter.primary.client.scan_iter("netgoals:signin:*"))) == 2
