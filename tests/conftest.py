"""Shared fixtures: real SQLite files and, where a server is reachable, real PostgreSQL databases.

Tests that need PostgreSQL skip when none is reachable — unless NETGOALS_REQUIRE_SERVICES=1 (CI),
where a missing server fails them instead.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from integrations.storage.database import make_engine
from integrations.storage.migrate import upgrade
from service.app import App
from tests.model import profiles as _model_profiles  # noqa: F401 - registers --hypothesis-profile=long

POSTGRES_ADMIN_URL = os.environ.get(
    "NETGOALS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_SERVICES = os.environ.get("NETGOALS_REQUIRE_SERVICES") == "1"


_SHARED_ID = pytest.StashKey[int]()


def pytest_configure(config: pytest.Config) -> None:
    """Give the run its own default home, so a developer's own netgoals data cannot leak in.

    Settings without NETGOALS_HOME fall back to platformdirs' data folder (XDG_DATA_HOME on
    Linux); a `served.toml` or a newer schema left there by a real `netgoals serve` changed what
    tests of the defaults saw. Each xdist worker and every process a test starts inherits this.
    """
    import tempfile

    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="netgoals-test-data-")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Fail every test whose node id another collected test has too.

    pytest-xdist schedules by node id, so of the tests that share one it runs a single one and the
    rest silently never run (schemathesis 4.32's items under pytest 9.2 did that: one API operation
    fuzzed out of ~49). Without xdist they run, but cannot be told apart in reports or selected.
    Failing at setup (not at collection) reads the same with and without xdist.
    """
    counts = Counter(item.nodeid for item in items)
    for item in items:
        if counts[item.nodeid] > 1:
            item.stash[_SHARED_ID] = counts[item.nodeid]


def pytest_runtest_setup(item: pytest.Item) -> None:
    if _SHARED_ID in item.stash:
        pytest.fail(
            f"{item.stash[_SHARED_ID]} collected tests share the node id {item.nodeid!r}, and pytest-xdist "
            "runs only one of them: give each its own id",
            pytrace=False,
        )


def _postgres_available() -> str | None:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means "not here"
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc.__class__.__name__}"


def require_postgres() -> None:
    reason = _postgres_available()
    if reason is not None:
        if REQUIRE_SERVICES:
            pytest.fail(f"NETGOALS_REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)


REDIS_HOST, REDIS_PORT = "127.0.0.1", int(os.environ.get("NETGOALS_TEST_REDIS_PORT", "6379"))

# The machine Redis's databases that tests empty and use, by purpose: one for each pytest-xdist
# worker (gw0, gw1, gw2), so that two workers never flush each other's; without xdist, the first.
# addopts has -n 2; a third worker (-n 3) gets 7-9.
MACHINE_REDIS_DBS = {"workers": (10, 12, 7), "compose": (11, 14, 8), "signin": (13, 15, 9)}


def machine_redis_db(purpose: str) -> int:
    """This process's database number on the machine Redis for `purpose` (a key of MACHINE_REDIS_DBS)."""
    dbs = MACHINE_REDIS_DBS[purpose]
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    if worker >= len(dbs):
        raise pytest.UsageError(
            f"xdist worker gw{worker}: the machine Redis databases are laid out for {len(dbs)} workers "
            f"(tests/conftest.py MACHINE_REDIS_DBS); run with -n {len(dbs)} or fewer"
        )
    return dbs[worker]


def machine_redis_url(purpose: str) -> str:
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{machine_redis_db(purpose)}"


def _redis_available() -> str | None:
    import socket

    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            if not connection.recv(16).startswith(b"+PONG"):
                return f"no Redis answering PING at {REDIS_HOST}:{REDIS_PORT}"
        return None
    except OSError as exc:
        return f"Redis not reachable at {REDIS_HOST}:{REDIS_PORT}: {exc.__class__.__name__}"


def require_redis() -> None:
    reason = _redis_available()
    if reason is not None:
        if REQUIRE_SERVICES:
            pytest.fail(f"NETGOALS_REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)


@contextmanager
def scratch_postgres(prefix: str = "netgoals_test") -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database, dropped when the block ends."""
    require_postgres()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with scratch_postgres() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'netgoals.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Run a test against both engines (the contract suite)."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    yield engine
    engine.dispose()


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, iso: str) -> None:
        self.now = datetime.fromisoformat(iso)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 28, 10, 0, tzinfo=UTC))


@pytest.fixture
def make_app(clock: FixedClock) -> Callable[[Engine], App]:
    """An App on a test's engine, with the test's clock (the engine fixture disposes of it)."""

    def make(engine: Engine) -> App:
        return App(engine, clock)

    return make
