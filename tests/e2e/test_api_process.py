"""End to end: a real `netgoals api` (uvicorn) process, a user made by the CLI, HTTP calls."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.api.live import live_server


def test_api_process_serves_goals_actions_and_progress(tmp_path: Path) -> None:
    with live_server(tmp_path) as server:
        user = server.add_user("ann@example.com")
        assert len(user["token"]) >= 43
        headers = {"Authorization": f"Bearer {user['token']}"}
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as client:
            assert client.get("/healthz", headers={"Authorization": ""}).json() == {"status": "ok"}
            assert httpx.get(f"{server.base_url}/api/v1/goals").status_code == 401
            goal = client.post("/api/v1/goals", json={"template": "monthly-event"})
            assert goal.status_code == 201, goal.text
            assert goal.headers["x-content-type-options"] == "nosniff"
            keyed = {"Idempotency-Key": "e2e-1"}
            first = client.post(
                "/api/v1/actions", json={"action": "attend-event", "title": "Meetup"}, headers=keyed
            )
            again = client.post(
                "/api/v1/actions", json={"action": "attend-event", "title": "Meetup"}, headers=keyed
            )
            assert first.status_code == again.status_code == 201
            assert first.json() == again.json()
            progress = client.get("/api/v1/progress").json()
            assert [(p["goal_id"], p["done"], p["status"]) for p in progress] == [
                (goal.json()["goal_id"], 1, "met")
            ]
            assert client.post("/api/v1/goals", content=b"x" * (1024 * 1024 + 1)).status_code == 413
        # The CLI sees what the API wrote: one store, two front doors.
        listed = server.cli("user", "list", "--json")
        assert "ann@example.com" in listed
        rotated = server.cli("user", "token", "rotate", "ann@example.com", "--json")
        assert user["token"] not in rotated
        assert httpx.get(f"{server.base_url}/api/v1/me", headers=headers).status_code == 401
