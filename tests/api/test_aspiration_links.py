"""REST: linking an existing goal to an aspiration (or to none) and editing an aspiration."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.app import App
from tests.api.conftest import User, add_user


def test_patch_links_a_goal_and_edits_an_aspiration(client: TestClient, ann: User, service: App) -> None:
    h = ann.headers
    aspiration = client.post(
        "/api/v1/aspirations", json={"text": "Find a mentor", "kind": "mentorship"}, headers=h
    )
    aspiration_id = aspiration.json()["aspiration_id"]
    goal_id = client.post("/api/v1/goals", json={"template": "monthly-event"}, headers=h).json()["goal_id"]
    linked = client.patch(f"/api/v1/goals/{goal_id}", json={"aspiration_id": aspiration_id}, headers=h)
    assert linked.status_code == 200 and linked.json()["aspiration_id"] == aspiration_id
    assert linked.json()["target"] == 1  # nothing else changed
    unlinked = client.patch(f"/api/v1/goals/{goal_id}", json={"aspiration_id": None}, headers=h)
    assert unlinked.json()["aspiration_id"] is None
    target_only = client.patch(f"/api/v1/goals/{goal_id}", json={"target": 2}, headers=h)
    assert target_only.json()["aspiration_id"] is None  # an absent field is not an unlink request
    edited = client.patch(
        f"/api/v1/aspirations/{aspiration_id}", json={"text": "Find two mentors"}, headers=h
    )
    assert edited.status_code == 200 and edited.json()["text"] == "Find two mentors"
    assert edited.json()["kind"] == "mentorship"
    bad = client.patch(f"/api/v1/aspirations/{aspiration_id}", json={"kind": "fame"}, headers=h)
    assert bad.status_code == 422 and "unknown aspiration kind" in bad.text


def test_nobody_links_to_or_edits_anothers_aspiration(client: TestClient, ann: User, service: App) -> None:
    bob = add_user(service, "bob@example.com")
    theirs = client.post("/api/v1/aspirations", json={"text": "Secret plan"}, headers=bob.headers).json()
    goal_id = client.post("/api/v1/goals", json={"template": "monthly-event"}, headers=ann.headers).json()[
        "goal_id"
    ]
    head = service.store.head_position()
    link = client.patch(
        f"/api/v1/goals/{goal_id}", json={"aspiration_id": theirs["aspiration_id"]}, headers=ann.headers
    )
    assert link.status_code == 404
    edit = client.patch(
        f"/api/v1/aspirations/{theirs['aspiration_id']}", json={"text": "x"}, headers=ann.headers
    )
    assert edit.status_code == 404
    assert service.store.head_position() == head
