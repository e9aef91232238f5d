"""A turnstile for the test servers (the Google fake, the CalDAV quirks proxy): every request stops
in it until the test lets it through, one at a time, so that the test can look at the world — the
database's open transactions — while the client waits on an answer. And the look this is for:
PostgreSQL's `pg_stat_activity`, the sessions of one database left "idle in transaction"."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

from sqlalchemy import NullPool, create_engine, text

T = TypeVar("T")


class Turnstile:
    """`stop` is the server's (called on its request thread); `through` is the test's."""

    def __init__(self) -> None:
        self._waiting: queue.Queue[threading.Event] = queue.Queue()
        self._lock = threading.Lock()
        self._open = False

    def stop(self) -> None:
        """Wait here until the test lets this request through (or opens the turnstile)."""
        go = threading.Event()
        with self._lock:
            if self._open:
                return
            self._waiting.put(go)
        go.wait(60)

    def open(self) -> None:
        """Let everyone through, from now on and those waiting."""
        with self._lock:
            self._open = True
        while True:
            try:
                self._waiting.get_nowait().set()
            except queue.Empty:
                return

    def through(self, run: Callable[[], T], look: Callable[[], None]) -> tuple[T, int]:
        """Run `run` on a thread of its own; at each request it makes, `look` while the request
        waits, then let it through. `run`'s result, and how many requests were looked at."""
        result: list[T] = []
        failure: list[BaseException] = []

        def body() -> None:
            try:
                result.append(run())
            except BaseException as exc:  # handed to the test's thread
                failure.append(exc)

        worker = threading.Thread(target=body, daemon=True)
        worker.start()
        seen = 0
        try:
            while worker.is_alive() or not self._waiting.empty():
                try:
                    go = self._waiting.get(timeout=0.05)
                except queue.Empty:
                    continue
                look()
                seen += 1
                go.set()
        finally:
            self.open()  # a failed look must not leave the run waiting
            worker.join(60)
        if failure:
            raise failure[0]
        return result[0], seen


class Sessions:
    """Another session on a PostgreSQL database, to look at the others."""

    def __init__(self, url: str) -> None:
        self._engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")

    def idle_in_transaction(self) -> list[str]:
        """The statements last run by the sessions now waiting inside a transaction (each
        autocommit statement reads the activity afresh)."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
                )
            )
            return [str(row[0]) for row in rows]

    def close(self) -> None:
        self._engine.dispose()


class Held(Protocol):
    """A test server whose requests can be held (the Google fake, the CalDAV quirks proxy)."""

    before_answer: Callable[[], None] | None


def nothing_idle_in_transaction(server: Held, sessions: Sessions, run: Callable[[], T]) -> tuple[T, int]:
    """`run` with every request to `server` held while the test looks at the database; asserts no
    session waited inside a transaction, and answers `run`'s result and how many requests were held."""
    turnstile = Turnstile()
    held: list[list[str]] = []

    def look() -> None:
        if found := sessions.idle_in_transaction():
            held.append(found)

    server.before_answer = turnstile.stop
    try:
        result, seen = turnstile.through(run, look)
    finally:
        server.before_answer = None
    assert held == [], f"{len(held)} of {seen} requests waited with a transaction open: {held[0]}"
    return result, seen
