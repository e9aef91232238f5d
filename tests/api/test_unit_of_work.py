"""One unit of work per use-case step: how many transactions and statements a request costs, on
SQLite and PostgreSQL, counted where they happen (SQLAlchemy's begin event; every statement the
driver runs, ours through the driver's own cursors included)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import event

from service.app import App
from tests.api.conftest import User
from tests.api.test_dashboard import sign_in

# Issue 25 measured 15 transactions (47 statements) for a logged action and 20 for the home page.
POST_ACTION_TRANSACTIONS = 8
HOME_TRANSACTIONS = 5
POST_ACTION_STATEMENTS = 30
HOME_STATEMENTS = 45


@dataclass
class Counts:
    transactions: int = 0
    statements: int = 0


@contextmanager
def counted(service: App) -> Iterator[Counts]:
    """Count the transactions and statements of what runs inside the block."""
    counts = Counts()
    engine = service.engine
    sqlite = engine.dialect.name == "sqlite"

    def began(_connection: Any) -> None:
        counts.transactions += 1

    def statement(*_: Any) -> None:
        counts.statements += 1

    def checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if sqlite:
            dbapi_connection.set_trace_callback(lambda sql: statement() if not _bookkeeping(sql) else None)
        else:
            dbapi_connection.cursor_factory = _counting_cursor(statement)

    def checkin(dbapi_connection: Any, _record: Any) -> None:
        if sqlite:
            dbapi_connection.set_trace_callback(None)
        else:
            import psycopg

            dbapi_connection.cursor_factory = psycopg.Cursor

    event.listen(engine, "begin", began)
    event.listen(engine.pool, "checkout", checkout)
    event.listen(engine.pool, "checkin", checkin)
    try:
        yield counts
    finally:
        event.remove(engine, "begin", began)
        event.remove(engine.pool, "checkout", checkout)
        event.remove(engine.pool, "checkin", checkin)


def _bookkeeping(sql: str) -> bool:
    """BEGIN and COMMIT: PostgreSQL's driver sends them without a cursor, so neither side counts them."""
    return sql.split(None, 1)[0].upper() in ("BEGIN", "COMMIT", "ROLLBACK")


def _counting_cursor(count: Callable[[], None]) -> type:
    import psycopg

    class Counting(psycopg.Cursor):  # type: ignore[type-arg]
        def execute(self, *args: Any, **kwargs: Any) -> Any:
            count()
            return super().execute(*args, **kwargs)

        def executemany(self, *args: Any, **kwargs: Any) -> Any:
            count()
            return super().executemany(*args, **kwargs)

    return Counting


def _measure(service: App, request: Callable[[], httpx.Response], expected: int) -> Counts:
    with counted(service) as counts:
        response = request()
    assert response.status_code == expected, response.text
    return counts


def _a_person_in_use(client: TestClient, ann: User) -> str:
    """A goal, a contact and a few actions: the home page with something on it."""
    goal = client.post(
        "/api/v1/goals", json={"action": "coffee", "target": 3, "frame": "week"}, headers=ann.headers
    )
    assert goal.status_code == 201, goal.text
    contact = client.post("/api/v1/contacts", json={"name": "Grace Hopper"}, headers=ann.headers)
    assert contact.status_code == 201, contact.text
    contact_id: str = contact.json()["contact_id"]
    for _ in range(3):
        logged = client.post(
            "/api/v1/actions", json={"action": "coffee", "contact_ids": [contact_id]}, headers=ann.headers
        )
        assert logged.status_code == 201, logged.text
    return contact_id


def test_logging_an_action_is_one_unit_of_work(client: TestClient, ann: User, service: App) -> None:
    contact_id = _a_person_in_use(client, ann)
    body = {"action": "coffee", "contact_ids": [contact_id], "at": "2026-11-24T09:30:00"}
    plain = _measure(service, lambda: client.post("/api/v1/actions", json=body, headers=ann.headers), 201)
    keyed = _measure(
        service,
        lambda: client.post(
            "/api/v1/actions", json=body, headers={**ann.headers, "Idempotency-Key": "uow-1"}
        ),
        201,
    )
    for counts in (plain, keyed):
        assert counts.transactions <= POST_ACTION_TRANSACTIONS, counts
        assert counts.statements <= POST_ACTION_STATEMENTS, counts
    lines = client.get("/api/v1/progress", headers=ann.headers).json()
    assert [line["done"] for line in lines] == [5]  # what the unit wrote is what a read sees


def test_the_dashboard_home_is_one_unit_of_work(client: TestClient, ann: User, service: App) -> None:
    _a_person_in_use(client, ann)
    sign_in(client, ann)
    counts = _measure(service, lambda: client.get("/"), 200)
    assert counts.transactions <= HOME_TRANSACTIONS, counts
    assert counts.statements <= HOME_STATEMENTS, counts


def test_a_page_after_a_form_sees_the_form_s_write(client: TestClient, ann: User) -> None:
    """Within one unit a write ends the shared read, so the redirect's page (and the same step's
    later reads, on SQLite's snapshot) show what was just written."""
    _a_person_in_use(client, ann)
    sign_in(client, ann)
    before = client.get("/").text
    assert before.count("Grace Hopper") >= 1
    logged = client.post(
        "/api/v1/actions", json={"action": "coffee", "title": "Unit lunch"}, headers=ann.headers
    )
    assert logged.status_code == 201
    assert "Unit lunch" in client.get("/").text
