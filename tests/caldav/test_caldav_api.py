"""CalDAV over the REST API and on the Calendar page, against a real Radicale: connect, status,
calendars, sync request, disconnect — each for the caller's own connection only (another user sees
theirs, never this one); bad input is 422 naming what was wrong with nothing changed; the page's
form works at phone width without JavaScript and needs the session's CSRF token."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import redis
from fastapi.testclient import TestClient

from api.app import create_app
from integrations.queue.enqueue import EVERYONE, Enqueuer
from service.access import accounts
from service.app import App
from service.caldav import connect as caldav_connect
from service.settings import Settings
from tests.api.test_dashboard import _csrf
from tests.caldav.conftest import new_calendar
from tests.caldav.servers import Server
from tests.conftest import machine_redis_url, require_redis
from tests.ical.conftest import Clock, Site
from tests.ical.conftest import site as site  # the web app fixture, shared with the iCal tests


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _body(running: Server, **extra: object) -> dict[str, object]:
    return {"server": running.base_url, "username": running.username, "password": running.password, **extra}


def test_connect_status_calendars_sync_disconnect_for_the_caller_only(
    site: Site, radicale_server: Server
) -> None:
    mine = new_calendar(radicale_server)
    goals = f"Networking goals {uuid.uuid4().hex[:6]}"
    created = site.client.post(
        "/api/v1/caldav",
        json=_body(radicale_server, read=[mine.calendar_url], plan_into=None),
        headers=_auth(site.token),
    )
    assert created.status_code == 201, created.text
    assert radicale_server.password not in created.text
    plan_into = created.json()["plan_into"]
    assert plan_into["name"] == "Networking goals" or plan_into["name"].startswith("Networking goals")
    status = site.client.get("/api/v1/caldav", headers=_auth(site.token)).json()
    assert status["status"] == "connected" and radicale_server.password not in str(status)
    roles = {
        c["url"]: c["role"]
        for c in site.client.get("/api/v1/caldav/calendars", headers=_auth(site.token)).json()
    }
    assert roles[mine.calendar_url] == "read"
    assert site.client.post("/api/v1/caldav/sync", headers=_auth(site.token)).json() == {"requested": True}
    # Another user: their own (empty) connection; nothing of this one reachable or changeable.
    eve = accounts.add_user(site.app, "eve@example.com", "UTC")
    assert site.client.get("/api/v1/caldav", headers=_auth(eve.token)).json()["status"] == "not-connected"
    assert site.client.post("/api/v1/caldav/sync", headers=_auth(eve.token)).json() == {"requested": False}
    assert site.client.get("/api/v1/caldav/calendars", headers=_auth(eve.token)).status_code == 422
    assert site.client.delete("/api/v1/caldav", headers=_auth(eve.token)).status_code == 204
    assert caldav_connect.status(site.app, site.user_id).status == "connected"  # eve's delete was her own
    assert site.client.get("/api/v1/caldav", headers={}).status_code == 401
    assert site.client.delete("/api/v1/caldav", headers=_auth(site.token)).status_code == 204
    assert site.client.get("/api/v1/caldav", headers=_auth(site.token)).json()["status"] == "disconnected"
    del goals
    mine.close()


def test_bad_input_is_422_naming_it_and_changes_nothing(site: Site, radicale_server: Server) -> None:
    before = site.app.store.head_position()
    cases = [
        (_body(radicale_server, password="wrong"), "refused the user name or password"),
        (_body(radicale_server, plan_into="No such calendar"), "no calendar called 'No such calendar'"),
        (_body(radicale_server, server="ftp://x"), "not a CalDAV address"),
        (_body(radicale_server, server="", preset="yahoo"), "unknown preset 'yahoo'"),
        (_body(radicale_server, emails=["nobody"]), "an email address needs an @"),
    ]
    for body, words in cases:
        answer = site.client.post("/api/v1/caldav", json=body, headers=_auth(site.token))
        assert answer.status_code == 422, (body, answer.text)
        assert words in answer.text
    missing = site.client.post("/api/v1/caldav", json={"server": "x"}, headers=_auth(site.token))
    assert missing.status_code == 422
    assert site.client.get("/api/v1/caldav", headers=_auth(site.token)).json()["status"] == "not-connected"
    assert site.app.store.head_position() == before


def test_the_calendar_page_form_connects_with_the_csrf_token(site: Site, radicale_server: Server) -> None:
    page = site.client.get("/signin")
    site.client.post(
        "/signin",
        data={"email": "ada@example.com", "token": site.token, "csrf": _csrf(page.text)},
        follow_redirects=False,
    )
    html = site.client.get("/calendar").text
    assert "CalDAV calendar" in html and 'type="password"' in html and 'name="preset"' in html
    form = {"server": radicale_server.base_url, "username": radicale_server.username}
    refused = site.client.post(
        "/calendar/caldav", data={**form, "password": radicale_server.password, "csrf": "guess"}
    )
    assert refused.status_code == 403
    wrong = site.client.post("/calendar/caldav", data={**form, "password": "nope", "csrf": _csrf(html)})
    assert wrong.status_code == 422 and "refused the user name or password" in wrong.text
    done = site.client.post(
        "/calendar/caldav", data={**form, "password": radicale_server.password, "csrf": _csrf(html)}
    )
    assert done.status_code == 200 and "caldav connected" in done.text
    assert "Disconnect" in done.text and radicale_server.password not in done.text
    gone = site.client.post("/calendar/caldav/disconnect", data={"csrf": _csrf(done.text)})
    assert gone.status_code == 200 and "Connect CalDAV" in gone.text


def test_sync_now_queues_the_caldav_poll_at_once_and_one_poke_at_a_time(
    radicale_server: Server, tmp_path: Path
) -> None:
    """Without Redis (the tests above) a sync request still answers at once and the beat polls;
    with it, the workers' CalDAV poll is queued now, not at the next minute, and a second press
    while one poke waits adds none (the task's start clears the mark)."""
    require_redis()
    settings = Settings(
        home=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'netgoals.db'}",
        secret_key="a test passphrase",
        allow_private_sources=True,
        redis_url=machine_redis_url("workers"),
    )
    web = create_app(settings, Clock())
    app: App = web.state.netgoals
    queued = redis.Redis.from_url(settings.redis_url or "")
    queued.flushdb()
    account = accounts.add_user(app, "ada@example.com", "Europe/Berlin")
    mine = new_calendar(radicale_server)
    try:
        with TestClient(web) as client:
            created = client.post("/api/v1/caldav", json=_body(radicale_server), headers=_auth(account.token))
            assert created.status_code == 201, created.text
            assert _queued_tasks(queued) == ["netgoals.caldav"]  # the first sync: now
            for _ in range(2):
                answer = client.post("/api/v1/caldav/sync", headers=_auth(account.token))
                assert answer.json() == {"requested": True}
            assert _queued_tasks(queued) == ["netgoals.caldav"]  # still the one waiting poke
            Enqueuer(web.state.jobs.celery, queued, 60).started("netgoals.caldav", EVERYONE)
            client.post("/api/v1/caldav/sync", headers=_auth(account.token))
            assert _queued_tasks(queued) == ["netgoals.caldav"] * 2
    finally:
        queued.flushdb()
        mine.close()
        app.close()


def _queued_tasks(client: redis.Redis) -> list[str]:
    return [json.loads(m)["headers"]["task"] for m in client.lrange("netgoals", 0, -1)]
