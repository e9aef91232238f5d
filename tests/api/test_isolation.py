"""Isolation: for every endpoint, user B gets 404 on user A's ids and sees none of A's data."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from integrations.storage.database import write_transaction
from integrations.storage.ical_store import occurrences as ical_occurrences
from integrations.storage.meetings import meeting_id
from service.app import App
from tests.api.conftest import NOW, User, event_count


def _populate(client: TestClient, ann: User) -> dict[str, str]:
    h = ann.headers
    aspiration = client.post("/api/v1/aspirations", json={"text": "Ann's secret plan"}, headers=h).json()
    contact = client.post("/api/v1/contacts", json={"name": "Ann's mentor Zelda"}, headers=h).json()
    goal = client.post(
        "/api/v1/goals",
        json={
            "template": "monthly-event",
            "title": "Ann's goal",
            "aspiration_id": aspiration["aspiration_id"],
        },
        headers=h,
    ).json()
    action = client.post(
        "/api/v1/actions",
        json={"action": "attend-event", "title": "Ann's meetup", "contact_ids": [contact["contact_id"]]},
        headers=h,
    ).json()
    source = client.post("/api/v1/sources", json={"url": "https://example.com/anns.ics"}, headers=h).json()
    return {
        "source_id": source["source_id"],
        "aspiration_id": aspiration["aspiration_id"],
        "contact_id": contact["contact_id"],
        "goal_id": goal["goal_id"],
        "action_id": action["action_id"],
        # an item of Ann's next list: her aspiration has nobody who can help yet
        "item_id": f"gap:{aspiration['aspiration_id']}:no-contacts",
    }


def _bodies(ids: dict[str, str]) -> dict[tuple[str, str], Any]:
    """Request bodies that are valid except that they name A's things."""
    return {
        ("POST", "/api/v1/aspirations"): {"text": "B's plan"},
        ("PATCH", "/api/v1/aspirations/{aspiration_id}"): {"text": "B's plan"},
        ("POST", "/api/v1/goals"): {"template": "mentor", "contact_ids": [ids["contact_id"]]},
        ("PATCH", "/api/v1/goals/{goal_id}"): {"target": 3},
        ("PUT", "/api/v1/goals/{goal_id}/preferences"): {"duration_minutes": 30, "days": ["sat"]},
        ("POST", "/api/v1/contacts"): {"name": "B's friend"},
        ("PATCH", "/api/v1/contacts/{contact_id}"): {"strength": 1},
        ("POST", "/api/v1/actions"): {"action": "meet-mentor", "contact_ids": [ids["contact_id"]]},
        ("POST", "/api/v1/actions/{action_id}/retract"): {"reason": "not mine"},
        ("POST", "/api/v1/actions/{action_id}/confirm"): {"answer": "done"},
        ("POST", "/api/v1/contacts/{contact_id}/assessment"): {"strength": 3, "tags": ["mine"]},
        ("POST", "/api/v1/sources"): {"url": "https://example.com/bs.ics"},
        ("POST", "/api/v1/next/{item_id}/answer"): {"answer": "dismissed"},
        ("PUT", "/api/v1/contacts/{contact_id}/needs"): {"needs": ["a hire"]},
        ("PUT", "/api/v1/next/offers"): {"offers": ["intros"]},
    }


def _anns_meeting(service: App, ids: dict[str, str]) -> str:
    """A meeting with Zelda in Ann's calendar source, as its sync keeps it; its id."""
    at = (NOW + timedelta(hours=20)).isoformat()
    facts = {
        "kinds": [],
        "at": at,
        "title": "Ann's meeting",
        "contact_ids": [ids["contact_id"]],
        "going": True,
    }
    with write_transaction(service.engine) as connection:
        ical_occurrences.save(
            connection,
            ids["source_id"],
            ical_occurrences.SourceOccurrence("m1/", "f", None, facts, stored=False),
        )
    return meeting_id("ical", f"{ids['source_id']}/m1/")


# Creating endpoints that reference another user's things must be 404 as well.
_REFERENCES_A = {("POST", "/api/v1/goals"), ("POST", "/api/v1/actions")}


def test_every_endpoint_hides_other_users_data(
    client: TestClient, web: FastAPI, service: App, ann: User, bob: User
) -> None:
    ids = _populate(client, ann)
    ids["meeting_id"] = _anns_meeting(service, ids)
    mine = client.get(f"/api/v1/next/briefs/{ids['meeting_id']}", headers=ann.headers)
    assert mine.status_code == 200 and mine.json()["title"] == "Ann's meeting"
    secrets = [*ids.values(), "Ann's", "Zelda", ann.email, ann.user_id, "anns.ics"]
    bodies = _bodies(ids)
    operations = [
        (method.upper(), path)
        for path, item in web.openapi()["paths"].items()
        if path.startswith("/api/v1/")
        for method in item
    ]
    assert len(operations) >= 18
    operations.sort(key=lambda op: op == ("POST", "/api/v1/me/rotate"))  # it ends B's token: last
    before = event_count(service)
    checked = []
    for method, template in operations:
        path = template
        for name, value in ids.items():
            path = path.replace("{" + name + "}", value)
        path = path.replace("{kind}", "no-mentor")  # a gap's kind is a word, not one of A's ids
        body = bodies.get((method, template))
        response = client.request(method, path, headers=bob.headers, json=body if body is not None else None)
        text = response.text
        assert "{" not in path, f"{method} {template}: give the isolation test one of A's ids for it"
        if "{" in template or (method, template) in _REFERENCES_A:
            assert response.status_code == 404, (method, template, response.status_code, text)
        else:  # B's own collection or command: it may be refused (e.g. 503 not configured), never crash
            assert response.status_code < 500 or response.status_code == 503, (method, template, text)
        sent = path + json.dumps(body)  # an id B sent may be echoed in "no goal with id ..."
        leaked = [s for s in secrets if s in text and s not in sent]
        assert not leaked, (method, template, leaked)
        checked.append((method, template))
        if (method, template) == ("POST", "/api/v1/me/rotate"):
            bob.token = response.json()["token"]  # B's old token ended here
    assert sorted(checked) == sorted(operations)
    # B's own creations appended only B's events; nothing of A's changed.
    ann_goal = client.get(f"/api/v1/goals/{ids['goal_id']}", headers=ann.headers).json()
    assert (ann_goal["target"], ann_goal["days"], ann_goal["duration_minutes"]) == (1, None, None)
    assert client.get(f"/api/v1/actions/{ids['action_id']}", headers=ann.headers).json()["retracted"] is False
    b_events = [
        json.loads(line) for line in client.get("/api/v1/export", headers=bob.headers).text.splitlines()
    ]
    assert event_count(service) - before == len(b_events) - 2  # B's registration and handle claim came before
    assert all(bob.user_id in e["stream_id"] or e["stream_id"].startswith("handle-") for e in b_events)


def test_sessions_and_tokens_are_per_user(client: TestClient, ann: User, bob: User) -> None:
    assert client.get("/api/v1/me", headers=ann.headers).json()["handle"] == "ann@example.com"
    assert client.get("/api/v1/me", headers=bob.headers).json()["handle"] == "bob@example.com"
