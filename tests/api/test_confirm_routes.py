"""Confirming planned blocks over HTTP: the signed link's GET changes nothing, its POST answers
without a session; tampered, expired and other people's links are refused with a clear page, a 4xx
and nothing appended; the dashboard's list and the REST endpoints check whose block it is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from domain.decisions import ContactSpec, GoalSpec
from domain.event_types import events as ev
from domain.event_types.events import Event
from service.app import App
from service.people import contacts
from service.read_models import progress
from service.settings import Settings
from service.tracking import goals
from service.tracking.confirm_links import Links
from tests.api.conftest import Clock, User, add_user
from tests.api.test_dashboard import sign_in

BLOCK_START = datetime.fromisoformat("2026-11-24T18:00:00+01:00")  # the evening before NOW


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path)  # embedded: the generated secret key signs the links


@pytest.fixture
def web(settings: Settings, clock: Clock) -> Iterator[FastAPI]:
    app = create_app(settings, clock)
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


@pytest.fixture
def ann(service: App) -> User:
    return add_user(service, "ann@example.com")


@pytest.fixture
def bob(service: App) -> User:
    return add_user(service, "bob@example.com")


def plan_block(
    service: App,
    user: User,
    start: datetime = BLOCK_START,
    goal_id: str | None = None,
    kind: str = "attend-event",
) -> str:
    action_id = str(uuid4())
    data = {
        "action_id": action_id,
        "goal_id": goal_id,
        "kind": kind,
        "start": start.isoformat(),
        "end": (start + timedelta(hours=2)).isoformat(),
        "title": "Networking: meetup evening",
    }
    service.append_actions(user.user_id, [Event(ev.ACTION_PLANNED, data)])
    return action_id


def link(settings: Settings, user_id: str, action_id: str, answer: str, clock: Clock) -> str:
    links = Links.open(settings)
    assert links is not None
    return links.url(user_id, action_id, answer, clock.now + timedelta(days=30)).removeprefix(
        "http://127.0.0.1:8000"
    )


def done_events(service: App, user: User) -> list[dict[str, object]]:
    return [e.data for e in service.store.read_stream(f"actions-{user.user_id}") if e.type == ev.ACTION_DONE]


def _token(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, html[:800]
    return found.group(1)


def test_the_link_get_changes_nothing_and_the_post_confirms_without_a_session(
    client: TestClient, service: App, settings: Settings, clock: Clock, ann: User
) -> None:
    block = plan_block(service, ann)
    url = link(settings, ann.user_id, block, "done", clock)
    before = service.store.head_position()
    for _ in range(3):  # a scanner, a preview, the person
        page = client.get(url)
        assert page.status_code == 200
        assert "Did it happen?" in page.text and ">Done</button>" in page.text
    assert service.store.head_position() == before
    assert client.cookies.get("netgoals_session") is None
    answer = client.post("/confirm", data={"token": _token(page.text)})
    assert answer.status_code == 200 and "Noted" in answer.text
    assert [(d["action_id"], d["confirmed_via"]) for d in done_events(service, ann)] == [(block, "link")]
    again = client.post("/confirm", data={"token": _token(page.text)})
    assert again.status_code == 200 and "Already noted" in again.text
    assert len(done_events(service, ann)) == 1


def test_a_skip_link_skips(
    client: TestClient, service: App, settings: Settings, clock: Clock, ann: User
) -> None:
    block = plan_block(service, ann)
    token = _token(client.get(link(settings, ann.user_id, block, "skip", clock)).text)
    assert "t happen</button>" in client.get(link(settings, ann.user_id, block, "skip", clock)).text
    assert client.post("/confirm", data={"token": token}).status_code == 200
    skipped = [
        e.data for e in service.store.read_stream(f"actions-{ann.user_id}") if e.type == ev.ACTION_SKIPPED
    ]
    assert [(s["action_id"], s["reason"], s["by"]) for s in skipped] == [(block, "didn't happen", "user")]


def test_tampered_expired_and_other_peoples_links_are_refused(
    client: TestClient, service: App, settings: Settings, clock: Clock, ann: User, bob: User
) -> None:
    block = plan_block(service, ann)
    url = link(settings, ann.user_id, block, "done", clock)
    token = url.rsplit("/", 1)[1]
    body, signature = token.split(".")
    tampered = f"{body}.{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}{signature[-1]}"
    as_bob = link(settings, bob.user_id, block, "done", clock).rsplit("/", 1)[1]  # bob's name, ann's block
    before = service.store.head_position()
    for bad, status, words in (
        (tampered, 400, "not valid"),
        ("garbage", 400, "not valid"),
        (as_bob, 404, "no block of yours"),
    ):
        page = client.get(f"/confirm/{bad}")
        assert page.status_code == status and words in page.text and "<button" not in page.text
        answer = client.post("/confirm", data={"token": bad})
        assert answer.status_code == status and words in answer.text
    assert client.post("/confirm", data={}).status_code == 400  # no token at all
    clock.advance(days=31)
    for method in (client.get, lambda u: client.post("/confirm", data={"token": token})):
        expired = method(url)
        assert expired.status_code == 410 and "expired" in expired.text
    assert service.store.head_position() == before


def test_a_block_still_to_come_cannot_be_confirmed(
    client: TestClient, service: App, settings: Settings, clock: Clock, ann: User
) -> None:
    block = plan_block(service, ann, start=clock.now + timedelta(days=2))
    before = service.store.head_position()
    token = link(settings, ann.user_id, block, "done", clock).rsplit("/", 1)[1]
    answer = client.post("/confirm", data={"token": token})
    assert answer.status_code == 409 and "has not started yet" in answer.text
    assert service.store.head_position() == before


def test_the_dashboard_list_answers_with_a_session_and_csrf(
    client: TestClient, service: App, ann: User, bob: User
) -> None:
    block = plan_block(service, ann)
    assert client.get("/confirm", follow_redirects=False).status_code == 303  # signed out: sign in
    sign_in(client, ann)
    page = client.get("/confirm")
    assert page.status_code == 200 and "Networking: meetup evening" in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    before = service.store.head_position()
    forged = client.post(
        f"/web/confirm/{block}", data={"answer": "done", "csrf": "x"}, follow_redirects=False
    )
    assert forged.status_code == 403 and service.store.head_position() == before
    answer = client.post(
        f"/web/confirm/{block}", data={"answer": "done", "csrf": csrf.group(1)}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert [d["confirmed_via"] for d in done_events(service, ann)] == ["dashboard"]
    assert "Nothing waits for your word." in client.get("/confirm").text
    client.cookies.clear()
    sign_in(client, bob)
    bob_page = client.get("/confirm")
    assert "meetup evening" not in bob_page.text
    bob_csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text)
    assert bob_csrf
    other = client.post(f"/web/confirm/{block}", data={"answer": "skip", "csrf": bob_csrf.group(1)})
    assert other.status_code == 404


def test_the_rest_api(client: TestClient, service: App, ann: User, bob: User) -> None:
    block = plan_block(service, ann)
    listed = client.get("/api/v1/confirmations", headers=ann.headers)
    assert [w["action_id"] for w in listed.json()] == [block]
    assert client.get("/api/v1/confirmations", headers=bob.headers).json() == []
    assert client.get("/api/v1/confirmations").status_code == 401
    url = f"/api/v1/actions/{block}/confirm"
    assert client.post(url, json={"answer": "maybe"}, headers=ann.headers).status_code == 422
    assert client.post(url, json={"answer": "done"}, headers=bob.headers).status_code == 404
    before = service.store.head_position()
    answer = client.post(url, json={"answer": "done"}, headers=ann.headers)
    assert answer.status_code == 200 and answer.json()["state"] == "done" and answer.json()["changed"]
    assert service.store.head_position() == before + 1
    assert client.post(url, json={"answer": "done"}, headers=ann.headers).json()["changed"] is False
    refused = client.post(url, json={"answer": "skip"}, headers=ann.headers)
    assert refused.status_code == 422 and "already confirmed" in refused.text
    assert client.get("/api/v1/confirmations", headers=ann.headers).json() == []


def test_a_new_contact_block_asks_with_whom_on_every_channel_and_then_counts(
    client: TestClient, service: App, settings: Settings, clock: Clock, ann: User
) -> None:
    """Issue 22, item 1: "done" for a block of the weekly new-contact goal named nobody, so the goal
    never counted it. Every channel that can ask now asks with whom; the answer counts."""
    goal = goals.set_goal(service, ann.user_id, GoalSpec(template="weekly-outreach")).goal_id
    grace = contacts.add_contact(service, ann.user_id, ContactSpec(name="Grace Hopper"))
    by_link, on_dashboard, by_api = (
        plan_block(service, ann, BLOCK_START - timedelta(hours=h), goal, "reach-out") for h in (0, 2, 4)
    )
    # The signed link's page asks, and a POST without an answer to it changes nothing.
    page = client.get(link(settings, ann.user_id, by_link, "done", clock))
    assert "With whom?" in page.text and f'value="{grace}">Grace Hopper' in page.text
    before = service.store.head_position()
    refused = client.post("/confirm", data={"token": _token(page.text)})
    assert refused.status_code == 409 and "with whom?" in refused.text
    assert service.store.head_position() == before
    answered = client.post("/confirm", data={"token": _token(page.text), "contact": grace})
    assert (
        answered.status_code == 200
        and "it counts for “Reach out to one new contact per week”" in answered.text
    )
    # The dashboard's list asks too.
    sign_in(client, ann)
    listed = client.get("/confirm").text
    assert listed.count("With whom?") == 2
    csrf = re.search(r'name="csrf" value="([^"]+)"', listed)
    assert csrf
    form = {"answer": "done", "csrf": csrf.group(1)}
    assert client.post(f"/web/confirm/{on_dashboard}", data=form).status_code == 409
    ok = client.post(f"/web/confirm/{on_dashboard}", data={**form, "contact": grace}, follow_redirects=False)
    assert ok.status_code == 303
    # And the API: asks_with_whom in the list, contact_ids in the answer.
    [waiting] = client.get("/api/v1/confirmations", headers=ann.headers).json()
    assert waiting["action_id"] == by_api and waiting["asks_with_whom"] is True
    url = f"/api/v1/actions/{by_api}/confirm"
    assert client.post(url, json={"answer": "done"}, headers=ann.headers).status_code == 422
    done = client.post(url, json={"answer": "done", "contact_ids": [grace]}, headers=ann.headers)
    assert done.status_code == 200 and done.json()["counts_for"] == "Reach out to one new contact per week"
    assert [d["contact_ids"] for d in done_events(service, ann)] == [[grace]] * 3
    [line] = progress.progress(service, ann.user_id)
    assert line.progress.current.done == 1  # one new contact this week, however often reached
