"""Redis is optional for a request (the sweep catches up): when it is away, an enqueue gives up
after one quick retry. redis-py's default retries a dropped connection ten times with backoff,
which made every API write wait about 4 s while the embedded Redis was down."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery

from integrations.queue.enqueue import UNAVAILABLE, Enqueuer
from integrations.queue.urls import client_for, socket_url


class DroppingSocket:
    """A unix socket that accepts each connection and closes it at once: a Redis going away."""

    def __init__(self, path: Path) -> None:
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(16)
        self.accepted = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.accepted += 1
            connection.close()

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def dropping(tmp_path: Path) -> Iterator[DroppingSocket]:
    server = DroppingSocket(tmp_path / "redis.sock")
    yield server
    server.close()


def test_an_enqueue_against_a_redis_that_drops_connections_gives_up_after_one_retry(
    tmp_path: Path, dropping: DroppingSocket
) -> None:
    client = client_for(socket_url(str(tmp_path / "redis.sock")))
    enqueuer = Enqueuer(Celery("away"), client, mark_ttl=60)
    assert enqueuer.request("updates", "someone") == UNAVAILABLE  # left to the sweep, no exception
    assert 1 <= dropping.accepted <= 2, f"{dropping.accepted} connection attempts for one enqueue"
