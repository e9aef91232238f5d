"""Fixtures for the CalDAV tests: Radicale and Xandikos started once per test process (pytest-xdist
runs each file whole on one process, so each process has its own servers), a fresh calendar per
test, and the quirks proxy in front of Radicale.

A server that cannot run here (a package missing) skips its tests, and fails them under
NETGOALS_REQUIRE_SERVICES=1, as tests/conftest.py does for PostgreSQL and Redis. A case a
`not_on` marker excludes is deselected at collection (`applicability.py`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from tests.caldav import applicability, servers
from tests.caldav.quirks_proxy import QuirksProxy
from tests.caldav.user_client import UserClient
from tests.conftest import REQUIRE_SERVICES


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Cases that do not apply to their provider are deselected, not generated and then skipped."""
    applicability.deselect(config, items)


def require(reason: str) -> None:
    """Skip (fail under NETGOALS_REQUIRE_SERVICES=1) naming why a server is missing."""
    if REQUIRE_SERVICES:
        pytest.fail(f"NETGOALS_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _serve(
    start: Callable[[Path], AbstractContextManager[servers.Server]], folder: Path
) -> Iterator[servers.Server]:
    try:
        running = start(folder)
        server = running.__enter__()
    except servers.UnavailableError as exc:
        require(f"{folder.name} unavailable: {exc}")
        raise  # unreachable: require skips or fails
    try:
        yield server
    finally:
        running.__exit__(None, None, None)


@pytest.fixture(scope="session")
def radicale_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.Server]:
    """Radicale, once per test process, started by the first test that asks for it."""
    yield from _serve(servers.radicale, tmp_path_factory.mktemp("radicale"))


@pytest.fixture(scope="session")
def xandikos_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.Server]:
    """Xandikos over https, once per test process."""
    yield from _serve(servers.xandikos, tmp_path_factory.mktemp("xandikos"))


@pytest.fixture(scope="session")
def xandikos_http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.Server]:
    """Xandikos over plain http (for clients that cannot be told to trust the made certificate)."""
    yield from _serve(
        lambda folder: servers.xandikos(folder, tls=False), tmp_path_factory.mktemp("xandikos-http")
    )


@pytest.fixture
def quirks(radicale_server: servers.Server) -> Iterator[QuirksProxy]:
    """A quirks proxy in front of Radicale, every quirk off; one per test (quirks are its state)."""
    with QuirksProxy(radicale_server) as proxy:
        yield proxy


def new_calendar(server: servers.Server, name: str = "") -> UserClient:
    """The person's own client on a calendar of their own, made fresh (tests never share one)."""
    client = UserClient.for_server(server)
    client.make_calendar(name or f"cal-{uuid.uuid4().hex[:10]}")
    return client


@pytest.fixture
def radicale_user(radicale_server: servers.Server) -> Iterator[UserClient]:
    client = new_calendar(radicale_server)
    yield client
    client.close()


@pytest.fixture
def xandikos_user(xandikos_server: servers.Server) -> Iterator[UserClient]:
    client = new_calendar(xandikos_server)
    yield client
    client.close()
