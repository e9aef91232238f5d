"""The dashboard over HTTP: sign-in, sessions, CSRF, forms, and the page itself."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.access import accounts, keys
from service.app import App
from tests.api.conftest import User


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def sign_in(client: TestClient, user: User) -> str:
    page = client.get("/signin")
    response = client.post(
        "/signin",
        data={"email": user.email, "token": user.token, "csrf": _csrf(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response.headers["set-cookie"]


def test_signed_out_visitors_go_to_sign_in(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin"
    page = client.get("/signin")
    assert "<form" in page.text
    assert 'label for="token"' in page.text


def test_sign_in_sets_a_safe_session_cookie(client: TestClient, ann: User) -> None:
    cookie = sign_in(client, ann)
    assert "netgoals_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # plain http in this test
    home = client.get("/")
    assert home.status_code == 200
    assert "Your networking goals" in home.text
    assert ann.token not in home.text  # the token is never shown again


def test_session_cookie_is_secure_over_https(web: FastAPI, ann: User) -> None:
    with TestClient(web, base_url="https://testserver") as client:
        cookie = sign_in(client, ann)
        assert "Secure" in cookie
        assert "strict-transport-security" in client.get("/").headers


def test_pages_have_no_inline_scripts_or_styles(client: TestClient, ann: User) -> None:
    sign_in(client, ann)
    html = client.get("/").text + client.get("/signin").text
    assert "<script" not in html
    assert "style=" not in html
    assert "<style" not in html
    assert "https://" not in html  # no CDN
    css = client.get("/static/app.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")


def test_forms_need_the_session_csrf_token(client: TestClient, ann: User, service: App) -> None:
    sign_in(client, ann)
    count = service.store.head_position()
    forged = client.post("/web/goals", data={"template": "monthly-event", "csrf": "x" * 64})
    assert forged.status_code == 403
    missing = client.post("/web/goals", data={"template": "monthly-event"})
    assert missing.status_code == 403
    assert service.store.head_position() == count


def test_sign_in_form_needs_its_csrf_cookie(client: TestClient, ann: User) -> None:
    response = client.post("/signin", data={"email": ann.email, "token": ann.token, "csrf": "guess"})
    assert response.status_code == 400
    assert "netgoals_session" not in response.headers.get("set-cookie", "")


def test_add_goal_log_action_add_contact(client: TestClient, ann: User) -> None:
    sign_in(client, ann)
    csrf = _csrf(client.get("/").text)
    added = client.post(
        "/web/goals", data={"template": "monthly-event", "csrf": csrf}, follow_redirects=False
    )
    assert added.status_code == 303
    page = client.get("/?done=goal").text
    assert "Goal added." in page
    assert "Attend one networking event per month" in page
    assert re.search(r'class="done">0</strong>', page)
    logged = client.post(
        "/web/actions",
        data={"action": "attend-event", "title": "Climate Tech Meetup", "day": "2026-11-20", "csrf": csrf},
    )
    assert logged.status_code == 200
    page = client.get("/").text
    assert re.search(r'class="done">1</strong>', page)
    assert "status-met" in page
    assert "<svg" in page
    contact = client.post(
        "/web/contacts", data={"name": "Maya Lin", "strength": "3", "cadence_days": "30", "csrf": csrf}
    )
    assert "Maya Lin" in contact.text
    mentor_id = re.search(r'<option value="([0-9a-f-]{36})">Maya Lin</option>', contact.text).group(1)
    mentor = client.post("/web/goals", data={"template": "mentor", "contact_id": mentor_id, "csrf": csrf})
    assert "Build a relationship with Maya Lin" in mentor.text
    assert "steady pace to the target" in mentor.text  # the deadline chart, drawn as on the goal page


def test_bad_form_input_shows_a_message(client: TestClient, ann: User) -> None:
    sign_in(client, ann)
    csrf = _csrf(client.get("/").text)
    response = client.post("/web/goals", data={"template": "mentor", "csrf": csrf})
    assert response.status_code == 422
    assert "the mentor goal needs a contact: the person you want to build it with" in response.text
    bad_day = client.post("/web/actions", data={"action": "reach-out", "day": "tomorrow", "csrf": csrf})
    assert bad_day.status_code == 422
    assert "2026-11-20" in bad_day.text


def test_failed_sign_ins_are_slowed(client: TestClient, ann: User) -> None:
    statuses = []
    for _ in range(5):
        page = client.get("/signin")
        response = client.post(
            "/signin", data={"email": ann.email, "token": "wrong", "csrf": _csrf(page.text)}
        )
        statuses.append(response.status_code)
    assert statuses[:3] == [401, 401, 401]
    assert statuses[-1] == 429
    assert "retry-after" in response.headers
    page = client.get("/signin")
    right = client.post(
        "/signin",
        data={"email": ann.email, "token": ann.token, "csrf": _csrf(page.text)},
        follow_redirects=False,
    )
    assert right.status_code == 303  # the right token is never locked out


def test_sign_out_and_token_rotation_end_sessions(client: TestClient, ann: User, service: App) -> None:
    sign_in(client, ann)
    csrf = _csrf(client.get("/").text)
    client.post("/signout", data={"csrf": csrf})
    assert client.get("/", follow_redirects=False).status_code == 303
    sign_in(client, ann)
    assert client.get("/", follow_redirects=False).status_code == 200
    accounts.issue_token(service, ann.user_id)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_secrets_are_stored_only_as_hashes(service: App, ann: User) -> None:
    with service.engine.connect() as connection:
        dump = "\n".join(str(row) for row in connection.exec_driver_sql("SELECT * FROM api_tokens"))
        events = "\n".join(str(row) for row in connection.exec_driver_sql("SELECT data FROM events"))
    assert ann.token not in dump
    assert keys.token_hash(ann.token) in dump
    assert ann.token not in events
