"""The REST API through httpx against the real app: goals, actions, progress, errors, idempotency."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli
from service.app import App
from tests.api.conftest import Clock, User, event_count


def test_healthz_needs_no_token_and_carries_security_headers(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "script-src" not in csp  # default-src 'none': no scripts at all
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_openapi_and_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/v1/progress" in schema["paths"]
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    assert "unsafe-inline" not in docs.headers["content-security-policy"]
    assert "'sha256-" in docs.headers["content-security-policy"]
    # Served from this server, not a CDN: the docs work offline.
    assets = re.findall(r'(?:src|href)="(/docs-assets/[^"]+)"', docs.text)
    assert {a.rsplit("/", 1)[1] for a in assets} >= {"swagger-ui-bundle.js", "swagger-ui.css"}
    assert all(client.get(asset).status_code == 200 for asset in assets)
    assert "https://" not in docs.headers["content-security-policy"]


def test_requests_without_a_valid_token_are_401(client: TestClient, ann: User) -> None:
    assert client.get("/api/v1/goals").status_code == 401
    wrong = client.get("/api/v1/goals", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == "Bearer"
    basic = client.get("/api/v1/goals", headers={"Authorization": "Basic YTpi"})
    assert basic.status_code == 401
    assert client.get("/api/v1/goals", headers=ann.headers).status_code == 200


def test_repeated_bad_tokens_are_slowed_down(client: TestClient, web: object, ann: User) -> None:
    for _ in range(3):
        assert client.get("/api/v1/me", headers={"Authorization": "Bearer bad"}).status_code == 401
    client.get("/api/v1/me", headers={"Authorization": "Bearer bad"})
    slowed = client.get("/api/v1/me", headers={"Authorization": "Bearer bad"})
    assert slowed.status_code == 429
    assert int(slowed.headers["retry-after"]) >= 1


def test_goal_from_template_action_and_progress(client: TestClient, ann: User) -> None:
    h = ann.headers
    created = client.post("/api/v1/goals", json={"template": "monthly-event"}, headers=h)
    assert created.status_code == 201, created.text
    goal = created.json()
    assert goal["template"] == "monthly-event"
    assert goal["frame"] == "month"
    assert goal["warnings"] == []
    custom = client.post(
        "/api/v1/goals",
        json={"title": "Follow up twice a week", "action": "follow-up", "target": 2, "frame": "week"},
        headers=h,
    )
    assert custom.status_code == 201, custom.text
    listed = {g["goal_id"] for g in client.get("/api/v1/goals", headers=h).json()}
    assert listed == {goal["goal_id"], custom.json()["goal_id"]}
    logged = client.post(
        "/api/v1/actions",
        json={"action": "attend-event", "title": "Climate Tech Meetup", "at": "2026-11-20T19:00:00+01:00"},
        headers=h,
    )
    assert logged.status_code == 201, logged.text
    assert logged.json()["action"] == "attend-event"
    progress = client.get("/api/v1/progress", params={"as_of": "2026-11-25"}, headers=h).json()
    monthly = next(p for p in progress if p["goal_id"] == goal["goal_id"])
    assert monthly["done"] == 1
    assert monthly["status"] == "met"
    before = client.get("/api/v1/progress", params={"as_of": "2026-11-19"}, headers=h).json()
    assert before == []  # the goals were set later

    retracted = client.post(f"/api/v1/actions/{logged.json()['action_id']}/retract", json={}, headers=h)
    assert retracted.status_code == 200
    assert retracted.json()["retracted"] is True
    after = client.get("/api/v1/progress", headers=h).json()
    assert next(p for p in after if p["goal_id"] == goal["goal_id"])["done"] == 0


def test_progress_json_is_the_cli_json(client: TestClient, ann: User, service: App, clock: Clock) -> None:
    h = ann.headers
    aspiration = client.post(
        "/api/v1/aspirations", json={"text": "Find a climate job", "kind": "new-job"}, headers=h
    )
    assert aspiration.status_code == 201, aspiration.text
    client.post(
        "/api/v1/goals",
        json={"template": "monthly-event", "aspiration_id": aspiration.json()["aspiration_id"]},
        headers=h,
    )
    client.post("/api/v1/actions", json={"action": "attend-event", "at": "2026-11-20T19:00:00"}, headers=h)
    api_lines = client.get("/api/v1/progress", headers=h).json()
    url = str(service.engine.url)
    env = {"NETGOALS_DATABASE_URL": url, "NETGOALS_NOW": clock.now.isoformat(), "NETGOALS_USER": ann.email}
    result = CliRunner().invoke(cli, ["progress", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == api_lines
    assert api_lines[0]["aspiration"] == "Find a climate job"
    goals_cli = CliRunner().invoke(cli, ["goal", "list", "--json"], env=env)
    api_goals = client.get("/api/v1/goals", headers=h).json()
    assert json.loads(goals_cli.stdout) == api_goals


def test_lifecycle_revise_and_single_reads(client: TestClient, ann: User) -> None:
    h = ann.headers
    goal_id = client.post("/api/v1/goals", json={"template": "monthly-event"}, headers=h).json()["goal_id"]
    revised = client.patch(f"/api/v1/goals/{goal_id}", json={"target": 2}, headers=h)
    assert revised.status_code == 200, revised.text
    assert [t["target"] for t in revised.json()["targets"]] == [1, 2]
    assert client.post(f"/api/v1/goals/{goal_id}/pause", headers=h).json()["paused"] is True
    again = client.post(f"/api/v1/goals/{goal_id}/pause", headers=h)
    assert again.status_code == 422
    assert "already paused" in again.json()["detail"][0]["msg"]
    assert client.post(f"/api/v1/goals/{goal_id}/resume", headers=h).json()["paused"] is False
    assert client.post(f"/api/v1/goals/{goal_id}/archive", headers=h).json()["archived"] is True
    assert client.get("/api/v1/goals", headers=h).json() == []
    assert len(client.get("/api/v1/goals", params={"include_archived": True}, headers=h).json()) == 1
    assert client.get(f"/api/v1/goals/{goal_id}", headers=h).json()["archived"] is True
    templates = client.get("/api/v1/goals/templates", headers=h).json()
    assert {t["name"] for t in templates} == {"monthly-event", "weekly-outreach", "mentor"}


def test_contacts_network_history_export(client: TestClient, ann: User) -> None:
    h = ann.headers
    created = client.post(
        "/api/v1/contacts",
        json={"name": "Maya", "emails": ["maya@example.org"], "strength": 3, "cadence_days": 30},
        headers=h,
    )
    assert created.status_code == 201, created.text
    contact_id = created.json()["contact_id"]
    updated = client.patch(f"/api/v1/contacts/{contact_id}", json={"strength": 4}, headers=h)
    assert updated.json()["strength"] == 4
    assert [s["strength"] for s in updated.json()["strength_history"]] == [3, 4]
    mentor = client.post("/api/v1/goals", json={"template": "mentor", "contact_ids": [contact_id]}, headers=h)
    assert mentor.status_code == 201, mentor.text
    client.post("/api/v1/actions", json={"action": "meet-mentor", "contact_ids": [contact_id]}, headers=h)
    network = client.get("/api/v1/network", headers=h).json()
    assert [c["name"] for c in network["new_this_month"]] == ["Maya"]
    assert network["contacts"][0]["interactions"] == 1
    history = client.get("/api/v1/history", params={"limit": 2}, headers=h).json()
    assert [item["type"] for item in history] == ["action.done", "goal.set"]
    older = client.get("/api/v1/history", params={"limit": 50, "before": history[-1]["position"]}, headers=h)
    assert older.json(), "the user's earlier events (registration, the contact) come before"
    assert all(item["position"] < history[-1]["position"] for item in older.json())
    export = client.get("/api/v1/export", headers=h)
    assert export.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in export.text.splitlines()]
    assert lines[-1]["type"] == "action.done"
    assert {"event_id", "stream_id", "version", "type", "data"} <= set(lines[0])


def test_idempotency_key_replays_the_first_answer(client: TestClient, ann: User, service: App) -> None:
    h = {**ann.headers, "Idempotency-Key": "goal-1"}
    first = client.post("/api/v1/goals", json={"template": "weekly-outreach"}, headers=h)
    assert first.status_code == 201
    count = event_count(service)
    again = client.post("/api/v1/goals", json={"template": "weekly-outreach"}, headers=h)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert event_count(service) == count
    other = client.post("/api/v1/goals", json={"template": "monthly-event"}, headers=h)
    assert other.status_code == 422
    assert event_count(service) == count
    action_h = {**ann.headers, "Idempotency-Key": "log-1"}
    one = client.post("/api/v1/actions", json={"action": "reach-out"}, headers=action_h)
    two = client.post("/api/v1/actions", json={"action": "reach-out"}, headers=action_h)
    assert one.json() == two.json()
    assert event_count(service) == count + 1
    goal_id = first.json()["goal_id"]
    pause_h = {**ann.headers, "Idempotency-Key": "pause-1"}
    assert client.post(f"/api/v1/goals/{goal_id}/pause", headers=pause_h).status_code == 200
    assert client.post(f"/api/v1/goals/{goal_id}/pause", headers=pause_h).status_code == 200


def test_bad_input_is_422_per_field_and_appends_nothing(client: TestClient, ann: User, service: App) -> None:
    h = ann.headers
    count = event_count(service)
    typed = client.post("/api/v1/goals", json={"target": "many", "frame": "week", "start": "soon"}, headers=h)
    assert typed.status_code == 422
    fields = {tuple(e["loc"]) for e in typed.json()["detail"]}
    assert {("body", "target"), ("body", "start")} <= fields
    unknown = client.post("/api/v1/goals", json={"template": "monthly-event", "colour": "red"}, headers=h)
    assert unknown.status_code == 422
    domain = client.post(
        "/api/v1/goals", json={"action": "reach-out", "target": 0, "frame": "week"}, headers=h
    )
    assert domain.status_code == 422
    assert "target 0 is out of range" in domain.json()["detail"][0]["msg"]
    future = client.post(
        "/api/v1/actions", json={"action": "reach-out", "at": "2030-01-01T10:00:00Z"}, headers=h
    )
    assert future.status_code == 422
    nul = client.post("/api/v1/aspirations", json={"text": "a\u0000b"}, headers=h)
    assert nul.status_code == 422
    not_json = client.post(
        "/api/v1/goals", content=b"{nope", headers={**h, "Content-Type": "application/json"}
    )
    assert not_json.status_code == 422
    assert client.get("/api/v1/progress", params={"as_of": "2031-01-01"}, headers=h).status_code == 422
    assert client.get("/api/v1/progress", params={"as_of": "0001-01-01"}, headers=h).status_code == 422
    assert event_count(service) == count


def test_unknown_ids_are_404_and_malformed_ids_422(client: TestClient, ann: User) -> None:
    h = ann.headers
    missing = "00000000-0000-4000-8000-000000000000"
    for path in (f"/api/v1/goals/{missing}", f"/api/v1/contacts/{missing}", f"/api/v1/actions/{missing}"):
        response = client.get(path, headers=h)
        assert response.status_code == 404, path
        assert "no " in response.json()["detail"]
    assert client.post(f"/api/v1/goals/{missing}/pause", headers=h).status_code == 404
    assert client.get("/api/v1/goals/not-an-id", headers=h).status_code == 422


def test_bodies_over_one_megabyte_are_413(client: TestClient, ann: User, service: App) -> None:
    h = ann.headers
    count = event_count(service)
    big = json.dumps({"text": "x" * (1024 * 1024 + 10)}).encode()
    declared = client.post(
        "/api/v1/aspirations", content=big, headers={**h, "Content-Type": "application/json"}
    )
    assert declared.status_code == 413

    def chunks():  # no Content-Length: the limit counts what arrives
        for _ in range(20):
            yield b"x" * 100_000

    streamed = client.post(
        "/api/v1/aspirations", content=chunks(), headers={**h, "Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    assert event_count(service) == count
