"""One Idempotency-Key sent several times at once: the answers do not depend on timing.

Sent one after another, a second body under the same key is a 422; sent at once, it must be the
same 422 — not a 201 carrying the winner's content. The same body sent at once appends once and
every request gets the same answer. Both engines.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.app import App
from tests.api.conftest import User, event_count

RACERS = 4


def _at_once(web: FastAPI, requests: list[Callable[[TestClient], Any]]) -> list[Any]:
    start = threading.Barrier(len(requests))
    answers: list[Any] = [None] * len(requests)

    def run(index: int) -> None:
        with TestClient(web) as client:
            start.wait()
            answers[index] = requests[index](client)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_one_key_with_different_bodies_at_once_is_one_201_and_422s(
    web: FastAPI, ann: User, service: App
) -> None:
    for trial in range(3):
        headers = {**ann.headers, "Idempotency-Key": f"contact-{trial}"}
        before = event_count(service)

        def post(client: TestClient, name: str, headers: dict[str, str] = headers) -> tuple[int, Any]:
            answer = client.post("/api/v1/contacts", json={"name": name}, headers=headers)
            return answer.status_code, answer.json()

        answers = _at_once(
            web,
            [lambda c, n=f"Person {trial}-{i}": post(c, n) for i in range(RACERS)],  # type: ignore[misc]
        )
        statuses = sorted(status for status, _ in answers)
        assert statuses == [201] + [422] * (RACERS - 1), answers
        refused = [body for status, body in answers if status == 422]
        assert all("already used for a different request" in str(body) for body in refused)
        assert event_count(service) == before + 1
        # Afterwards, sequentially: the winner's body replays, any other is refused the same way.
        [(_, created)] = [(s, b) for s, b in answers if s == 201]
        with TestClient(web) as client:
            again = client.post("/api/v1/contacts", json={"name": created["name"]}, headers=headers)
            assert (again.status_code, again.json()) == (201, created)
            other = client.post("/api/v1/contacts", json={"name": "Someone else"}, headers=headers)
            assert other.status_code == 422


def test_one_key_with_the_same_body_at_once_appends_once(web: FastAPI, ann: User, service: App) -> None:
    headers = {**ann.headers, "Idempotency-Key": "contact-same"}
    before = event_count(service)

    def post(client: TestClient) -> tuple[int, Any]:
        answer = client.post("/api/v1/contacts", json={"name": "Maya"}, headers=headers)
        return answer.status_code, answer.json()

    answers = _at_once(web, [post] * RACERS)
    assert [status for status, _ in answers] == [201] * RACERS
    assert len({body["contact_id"] for _, body in answers}) == 1
    assert event_count(service) == before + 1


def test_a_failed_first_use_frees_the_key(client: TestClient, ann: User) -> None:
    headers = {**ann.headers, "Idempotency-Key": "goal-typo"}
    typo = client.post("/api/v1/goals", json={"template": "monthly-evnt"}, headers=headers)
    assert typo.status_code == 422
    fixed = client.post("/api/v1/goals", json={"template": "monthly-event"}, headers=headers)
    assert fixed.status_code == 201, fixed.text
