"""Invariant 3 over HTTP: eight clients adding contacts to one user at the same time (a browser tab,
a phone, a worker...) through a real uvicorn server all get 201, and the profile holds every one —
on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from api.app import create_app
from service.access import accounts
from service.settings import Settings
from tests.api.conftest import Clock
from tests.api.live import free_port

CLIENTS, EACH = 8, 25


@contextmanager
def serving(settings: Settings) -> Iterator[tuple[str, str]]:
    """The API on a real port in a thread (its sync routes run in uvicorn's thread pool), and a
    token for a fresh user."""
    web = create_app(settings, Clock())
    account = accounts.add_user(web.state.netgoals, "busy@example.com", "Europe/Berlin")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(web, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", account.token
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_concurrent_contact_adds_over_http_all_succeed(tmp_path: Path, database_url: str) -> None:
    with serving(Settings(home=tmp_path, database_url=database_url)) as (base_url, token):
        statuses: list[int] = []
        headers = {"Authorization": f"Bearer {token}"}
        start = threading.Barrier(CLIENTS)

        def client(number: int) -> None:
            with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:
                start.wait()
                for n in range(EACH):
                    answer = http.post("/api/v1/contacts", json={"name": f"Contact {number}-{n}"})
                    statuses.append(answer.status_code)

        threads = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(set(statuses)) == [201] and len(statuses) == CLIENTS * EACH
        listed = httpx.get(f"{base_url}/api/v1/contacts", headers=headers).json()
        assert sorted(c["name"] for c in listed) == sorted(
            f"Contact {c}-{n}" for c in range(CLIENTS) for n in range(EACH)
        )
