"""Fixtures: the real FastAPI app on a temporary SQLite file or PostgreSQL database,
a settable clock, users with tokens."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from service.access import accounts
from service.app import App
from service.settings import Settings
from tests.conftest import machine_redis_url, require_redis

NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class User:
    user_id: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


# db 13, or the xdist worker's own (tests/conftest.py): the sign-in limiter's tests only
SIGNIN_REDIS_URL = machine_redis_url("signin")


@pytest.fixture
def signin_redis() -> Iterator[redis.Redis]:
    """The machine's Redis, the sign-in limiter tests' db, emptied before and after."""
    require_redis()
    client = redis.Redis.from_url(SIGNIN_REDIS_URL, decode_responses=True)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def web(tmp_path: Path, clock: Clock, database_url: str) -> Iterator[FastAPI]:
    """The app on SQLite and on PostgreSQL (`database_url` comes from tests/conftest.py)."""
    app = create_app(Settings(home=tmp_path, database_url=database_url, secret_key="api tests"), clock)
    yield app
    app.state.netgoals.close()


@pytest.fixture
def service(web: FastAPI) -> App:
    app: App = web.state.netgoals
    return app


@pytest.fixture
def client(web: FastAPI) -> Iterator[TestClient]:
    with TestClient(web) as test_client:
        yield test_client


def add_user(service: App, email: str, timezone: str = "Europe/Berlin") -> User:
    account = accounts.add_user(service, email, timezone)
    return User(account.user.user_id, account.user.handle, account.token)


@pytest.fixture
def ann(service: App) -> User:
    return add_user(service, "ann@example.com")


@pytest.fixture
def bob(service: App) -> User:
    return add_user(service, "bob@example.com", "America/New_York")


def event_count(service: App) -> int:
    return service.store.head_position()
