"""A goal's own preferences (duration, days, hours) over HTTP and in the CLI, with the same JSON
field names in both."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli
from service.app import App
from tests.api.conftest import Clock, User, event_count

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def test_goal_preferences_are_set_with_the_goal_and_replaced_by_put(client: TestClient, ann: User) -> None:
    h = ann.headers
    created = client.post(
        "/api/v1/goals",
        json={
            "template": "monthly-event",
            "duration_minutes": 45,
            "days": ["mon-fri"],
            "hours": "18:00-21:00",
        },
        headers=h,
    )
    assert created.status_code == 201, created.text
    goal = created.json()
    assert (goal["duration_minutes"], goal["days"], goal["hours"]) == (45, WEEKDAYS, "18:00-21:00")
    plain = client.post("/api/v1/goals", json={"template": "weekly-outreach"}, headers=h).json()
    assert (plain["duration_minutes"], plain["days"], plain["hours"]) == (None, None, None)

    path = f"/api/v1/goals/{goal['goal_id']}/preferences"
    replaced = client.put(path, json={"days": ["sat", "sun"]}, headers=h)
    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["duration_minutes"], replaced.json()["days"], replaced.json()["hours"]) == (
        None,
        ["sat", "sun"],
        None,
    )
    assert client.get(f"/api/v1/goals/{goal['goal_id']}", headers=h).json()["days"] == ["sat", "sun"]
    history = client.get("/api/v1/history", headers=h).json()
    assert history[0]["type"] == "goal.preferences-set"


def test_bad_preferences_are_422_naming_the_field_and_append_nothing(
    client: TestClient, ann: User, service: App
) -> None:
    h = ann.headers
    goal_id = client.post("/api/v1/goals", json={"template": "monthly-event"}, headers=h).json()["goal_id"]
    before = event_count(service)
    for body, field in (
        ({"hours": "21:00-18:00"}, "hours"),
        ({"days": ["someday"]}, "days"),
        ({"duration_minutes": 2}, "duration"),
        ({"duration_minutes": 300, "hours": "18:00-21:00"}, "does not fit"),
    ):
        answer = client.put(f"/api/v1/goals/{goal_id}/preferences", json=body, headers=h)
        assert answer.status_code == 422, answer.text
        assert field in answer.json()["detail"][0]["msg"]
    bad_goal = client.post("/api/v1/goals", json={"template": "monthly-event", "hours": "9-5"}, headers=h)
    assert bad_goal.status_code == 422
    assert event_count(service) == before
    missing = client.put(
        "/api/v1/goals/00000000-0000-4000-8000-000000000000/preferences", json={"days": ["mon"]}, headers=h
    )
    assert missing.status_code == 404


def test_cli_sets_and_shows_preferences_like_the_api(
    client: TestClient, ann: User, service: App, clock: Clock
) -> None:
    env = {
        "NETGOALS_DATABASE_URL": str(service.engine.url),
        "NETGOALS_NOW": clock.now.isoformat(),
        "NETGOALS_USER": ann.email,
    }
    runner = CliRunner()
    added = runner.invoke(
        cli,
        [
            "goal",
            "add",
            "--template",
            "monthly-event",
            "--duration",
            "45",
            "--days",
            "mon-fri",
            "--hours",
            "18:00-21:00",
            "--json",
        ],
        env=env,
    )
    assert added.exit_code == 0, added.output
    goal_id = json.loads(added.stdout)["goal_id"]
    shown = runner.invoke(cli, ["goal", "plan", goal_id[:8]], env=env)
    assert shown.exit_code == 0, shown.output
    assert "45 minutes long" in shown.stdout and "on mon,tue,wed,thu,fri" in shown.stdout
    changed = runner.invoke(cli, ["goal", "plan", goal_id, "--hours", "17:30-22:00", "--json"], env=env)
    assert changed.exit_code == 0, changed.output
    answer = json.loads(changed.stdout)
    assert (answer["duration_minutes"], answer["days"], answer["hours"]) == (45, WEEKDAYS, "17:30-22:00")
    effective = answer["effective"]
    assert (effective["duration_minutes"], effective["days"], effective["hours"]) == (
        45,
        WEEKDAYS,
        "17:30-22:00",
    )
    assert "meetup" in effective["keywords"] and effective["domains"] == []
    reset = runner.invoke(cli, ["goal", "plan", goal_id, "--reset", "--json"], env=env)
    reset_to = json.loads(reset.stdout)["effective"]
    assert (reset_to["duration_minutes"], reset_to["days"], reset_to["hours"]) == (
        120,
        ["mon", "tue", "wed", "thu"],
        "18:00-21:00",
    )
    bad = runner.invoke(cli, ["goal", "plan", goal_id, "--hours", "22:00-21:00"], env=env)
    assert bad.exit_code == 2
    assert "hours" in bad.output
    listed = runner.invoke(cli, ["goal", "list", "--json"], env=env)
    assert json.loads(listed.stdout) == client.get("/api/v1/goals", headers=ann.headers).json()


def test_matching_rules_over_http_and_in_the_cli(
    client: TestClient, ann: User, service: App, clock: Clock
) -> None:
    h = ann.headers
    created = client.post(
        "/api/v1/goals",
        json={"template": "monthly-event", "keywords": ["Demo night", "expo"], "domains": ["@Acme.com"]},
        headers=h,
    )
    assert created.status_code == 201, created.text
    goal = created.json()
    assert (goal["keywords"], goal["domains"]) == (["demo night", "expo"], ["acme.com"])
    path = f"/api/v1/goals/{goal['goal_id']}/preferences"
    cleared = client.put(path, json={"keywords": [], "duration_minutes": 90}, headers=h).json()
    assert (cleared["keywords"], cleared["domains"], cleared["duration_minutes"]) == ([], None, 90)
    bad = client.put(path, json={"domains": ["not a domain"]}, headers=h)
    assert bad.status_code == 422 and "domain" in bad.json()["detail"][0]["msg"]

    env = {
        "NETGOALS_DATABASE_URL": str(service.engine.url),
        "NETGOALS_NOW": clock.now.isoformat(),
        "NETGOALS_USER": ann.email,
    }
    runner = CliRunner()
    args = ["goal", "plan", goal["goal_id"], "--keyword", "meetup", "--keyword", "mixer", "--domain", "x.org"]
    changed = runner.invoke(cli, [*args, "--json"], env=env)
    assert changed.exit_code == 0, changed.output
    answer = json.loads(changed.stdout)
    assert (answer["keywords"], answer["domains"], answer["duration_minutes"]) == (
        ["meetup", "mixer"],
        ["x.org"],
        90,
    )
    shown = runner.invoke(cli, ["goal", "plan", goal["goal_id"]], env=env).stdout
    assert "mention: meetup, mixer" in shown and "attendees from: x.org" in shown
    added = runner.invoke(
        cli, ["goal", "add", "--template", "monthly-event", "--keyword", "hackathon", "--json"], env=env
    )
    assert added.exit_code == 0, added.output
    new_id = json.loads(added.stdout)["goal_id"]
    assert client.get(f"/api/v1/goals/{new_id}", headers=h).json()["keywords"] == ["hackathon"]
