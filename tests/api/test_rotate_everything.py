"""A leaked API token: "rotate everything" gives a new token and new feed URLs, and refuses every
signed link made before it (confirm a block, unsubscribe) — the API, the dashboard and the CLI."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli
from domain.event_types import events as ev
from domain.event_types.events import Event
from service.access import accounts, credentials
from service.app import App
from service.settings import Settings
from service.shapes.feeds import FeedLinksOut
from service.tracking.confirm_links import Links
from service.updates import Updates, unsubscribe_link
from tests.api.conftest import Clock, User
from tests.api.test_dashboard import _csrf, sign_in
from tests.shape_api import api_for, cli_json


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _links_of(web: FastAPI, service: App, user: User, clock: Clock) -> dict[str, str]:
    """A feed URL, a confirm link for a block that has passed, and an unsubscribe link."""
    settings: Settings = web.state.jobs.settings
    block = str(uuid4())
    start = clock.now - timedelta(days=1)
    end = start + timedelta(hours=1)
    planned = {"action_id": block, "goal_id": None, "kind": "attend-event", "start": start.isoformat(),
               "end": end.isoformat(), "title": "Networking: an evening out"}  # fmt: skip
    service.append_actions(user.user_id, [Event(ev.ACTION_PLANNED, planned)])
    links = Links.open(settings)
    assert links is not None
    feed = TestClient(web).get("/api/v1/feed", headers=user.headers).json()["https"]
    return {
        "feed": _path(feed),
        "confirm": _path(links.url(user.user_id, block, "done", clock.now + timedelta(days=30))),
        "unsubscribe": _path(unsubscribe_link(service, Updates.open(settings), user.user_id)),
    }


def _open(client: TestClient, links: dict[str, str]) -> dict[str, int]:
    return {name: client.get(path).status_code for name, path in links.items()}


def test_rotating_everything_over_the_api_leaves_no_old_secret_working(
    web: FastAPI, client: TestClient, service: App, ann: User, bob: User, clock: Clock
) -> None:
    mine, theirs = _links_of(web, service, ann, clock), _links_of(web, service, bob, clock)
    assert _open(client, mine) == {"feed": 200, "confirm": 200, "unsubscribe": 200}

    clock.advance(seconds=1)  # links are dated to the second: one made in the rotation's second may live
    answer = client.post("/api/v1/me/rotate", headers=ann.headers)
    assert answer.status_code == 200, answer.text
    new_token, [new_feed] = answer.json()["token"], answer.json()["feeds"]

    assert client.get("/api/v1/me", headers=ann.headers).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {new_token}"}).status_code == 200
    assert _open(client, mine) == {"feed": 404, "confirm": 410, "unsubscribe": 400}
    assert "no longer works" in client.get(mine["confirm"]).text
    assert "no longer works" in client.get(mine["unsubscribe"]).text
    assert client.post("/confirm", data={"token": mine["confirm"].rsplit("/", 1)[1]}).status_code == 410
    assert client.get(_path(new_feed["https"])).status_code == 200
    # Links made from now on work (the same second as the rotation, even), and Bob's never stopped.
    fresh = (
        ann._replace(token=new_token) if hasattr(ann, "_replace") else User(ann.user_id, ann.email, new_token)
    )
    assert _open(client, _links_of(web, service, fresh, clock)) == {
        "feed": 200,
        "confirm": 200,
        "unsubscribe": 200,
    }
    assert _open(client, theirs) == {"feed": 200, "confirm": 200, "unsubscribe": 200}


def test_the_dashboard_button_rotates_everything_and_signs_out(
    web: FastAPI, client: TestClient, service: App, ann: User, clock: Clock
) -> None:
    mine = _links_of(web, service, ann, clock)
    sign_in(client, ann)
    csrf = _csrf(client.get("/settings").text)
    assert client.post("/settings/rotate", data={"csrf": "wrong"}).status_code == 403
    clock.advance(seconds=1)
    assert _open(client, mine)["confirm"] == 200  # a refused form changed nothing
    page = client.post("/settings/rotate", data={"csrf": csrf})
    assert page.status_code == 200 and "Everything was rotated" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert _open(client, mine) == {"feed": 404, "confirm": 410, "unsubscribe": 400}
    assert client.get("/settings", follow_redirects=False).status_code == 303  # signed out
    assert accounts.authenticate(service, ann.token) is None


def test_netgoals_user_token_rotate_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETGOALS_HOME", str(tmp_path))
    runner = CliRunner()
    added = json.loads(runner.invoke(cli, ["user", "add", "ann@example.com", "--json"]).output)
    app = App.open(Settings(home=tmp_path))
    try:
        from service.ical import feed_links

        old_feed = feed_links(app, Settings(home=tmp_path), added["user_id"]).https
    finally:
        app.close()
    done = runner.invoke(cli, ["user", "token", "rotate", "ann@example.com", "--everything", "--json"])
    assert done.exit_code == 0, done.output
    rotated = json.loads(done.output)
    assert (rotated["user_id"], rotated["handle"]) == (added["user_id"], "ann@example.com")
    assert rotated["token"] != added["token"] and [f["https"] for f in rotated["feeds"]] != [old_feed]
    assert set(rotated["feeds"][0]) == set(FeedLinksOut.model_fields)  # the API's shape (RotatedOut)
    app = App.open(Settings(home=tmp_path))
    try:
        assert accounts.authenticate(app, added["token"]) is None
        assert accounts.authenticate(app, rotated["token"]) == added["user_id"]
        assert credentials.links_revoked(app, added["user_id"], app.now().timestamp() - 2)
    finally:
        app.close()


def test_the_rotated_feed_links_are_the_feeds_one_shape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """POST /api/v1/me/rotate answers each feed as FeedLinksOut, the shape `netgoals feed url --json`
    prints (service/shapes/feeds.py): the new links, equal."""
    monkeypatch.setenv("NETGOALS_HOME", str(tmp_path))
    monkeypatch.setenv("NETGOALS_USER", "ann@example.com")
    assert CliRunner().invoke(cli, ["user", "add", "ann@example.com"]).exit_code == 0
    before = cli_json("feed", "url")
    with api_for("ann@example.com") as (client, auth):
        answer = client.post("/api/v1/me/rotate", headers=auth)
    assert answer.status_code == 200, answer.text
    [rotated] = answer.json()["feeds"]
    assert rotated == cli_json("feed", "url") and rotated["https"] != before["https"]
