"""Progress updates over HTTP: the JSON API with its owner checks, the dashboard settings form,
and the unsubscribe link that a GET never acts on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from service.updates import Updates, deliver_due
from tests.api.conftest import Clock, User, add_user
from tests.api.test_dashboard import _csrf, sign_in
from tests.updates.conftest import make_settings
from tests.updates.receivers import SmtpServer, WebhookReceiver


@pytest.fixture
def web(tmp_path: Path, database_url: str, smtp_server: SmtpServer) -> Iterator[FastAPI]:
    app = create_app(make_settings(tmp_path, smtp_server.port, database_url), Clock())
    yield app
    app.state.netgoals.close()


@pytest.fixture
def client(web: FastAPI) -> Iterator[TestClient]:
    with TestClient(web) as test_client:
        yield test_client


@pytest.fixture
def ann(web: FastAPI) -> User:
    return add_user(web.state.netgoals, "ann@example.com")


@pytest.fixture
def bob(web: FastAPI) -> User:
    return add_user(web.state.netgoals, "bob@example.com")


def test_choose_email_then_send_a_test(client: TestClient, ann: User, smtp_server: SmtpServer) -> None:
    answer = client.put(
        "/api/v1/updates/preferences",
        headers=ann.headers,
        json={"channel": "email", "email": "ann@example.com"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["channel"] == "email" and answer.json()["webhook_secret"] is None
    test = client.post("/api/v1/updates/test", headers=ann.headers)
    assert test.status_code == 202, test.text
    assert (test.json()["state"], test.json()["result"]) == ("pending", "/api/v1/updates")
    assert smtp_server.box.messages == [], "the API sent it in the request"
    assert _worker_sends(client) == 1
    assert smtp_server.box.messages[-1]["To"] == "ann@example.com"
    [listed] = client.get("/api/v1/updates", headers=ann.headers).json()
    assert (listed["kind"], listed["state"], listed["subject"]) == (
        "test",
        "delivered",
        "netgoals test message",
    )


def test_a_webhook_secret_is_answered_once(
    client: TestClient, ann: User, webhook_receiver: WebhookReceiver
) -> None:
    body = {"channel": "webhook", "webhook_url": webhook_receiver.url, "webhook_format": "slack"}
    secret = client.put("/api/v1/updates/preferences", headers=ann.headers, json=body).json()[
        "webhook_secret"
    ]
    assert secret and len(secret) >= 40
    again = client.get("/api/v1/updates/preferences", headers=ann.headers).json()
    assert "webhook_secret" not in again or again["webhook_secret"] is None
    assert again["webhook_format"] == "slack"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"channel": "email", "email": "not-an-address"}, "body"),
        ({"channel": "webhook", "webhook_url": "ftp://example.org/x"}, "body"),
        ({"channel": "email", "email": "a@b.org", "extra": 1}, "extra"),
    ],
)
def test_bad_preferences_are_422_and_change_nothing(
    client: TestClient, ann: User, body: dict[str, object], field: str
) -> None:
    answer = client.put("/api/v1/updates/preferences", headers=ann.headers, json=body)
    assert answer.status_code == 422
    assert field in str(answer.json()["detail"])
    assert client.get("/api/v1/updates/preferences", headers=ann.headers).json()["channel"] == "none"


def test_updates_need_a_token_and_are_only_your_own(client: TestClient, ann: User, bob: User) -> None:
    assert client.get("/api/v1/updates").status_code == 401
    client.put(
        "/api/v1/updates/preferences",
        headers=ann.headers,
        json={"channel": "email", "email": "ann@example.com"},
    )
    client.post("/api/v1/updates/test", headers=ann.headers)
    _worker_sends(client)
    assert client.get("/api/v1/updates", headers=bob.headers).json() == []
    assert client.get("/api/v1/updates/preferences", headers=bob.headers).json()["channel"] == "none"


def _worker_sends(client: TestClient) -> int:
    """What the worker's task does with the queued test (no worker runs in these tests): send the
    due deliveries. How many were delivered."""
    web = client.app
    assert isinstance(web, FastAPI)
    sent = deliver_due(web.state.netgoals, Updates.open(web.state.jobs.settings))
    return sum(1 for s in sent if s.delivered)


def _unsubscribe_token(message_text: str) -> str:
    url = re.search(r"https://netgoals\.test/updates/unsubscribe\?token=\S+", message_text)
    assert url, message_text
    return parse_qs(urlsplit(url.group(0)).query)["token"][0]


def test_the_unsubscribe_link_acts_only_on_post(
    client: TestClient, ann: User, bob: User, smtp_server: SmtpServer
) -> None:
    for who in (ann, bob):
        client.put(
            "/api/v1/updates/preferences", headers=who.headers, json={"channel": "email", "email": who.email}
        )
    client.post("/api/v1/updates/test", headers=ann.headers)
    _worker_sends(client)
    token = _unsubscribe_token(smtp_server.box.messages[-1].get_body(("plain",)).get_content())

    page = client.get("/updates/unsubscribe", params={"token": token})  # a mail scanner opening the link
    assert page.status_code == 200 and "Stop my updates" in page.text
    assert client.get("/api/v1/updates/preferences", headers=ann.headers).json()["channel"] == "email"

    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    refused = client.post("/updates/unsubscribe", data={"token": tampered})
    assert refused.status_code == 400 and "not valid" in refused.text
    assert client.get("/api/v1/updates/preferences", headers=ann.headers).json()["channel"] == "email"

    done = client.post("/updates/unsubscribe", data={"token": token})
    assert done.status_code == 200 and "no more progress updates" in done.text
    assert client.get("/api/v1/updates/preferences", headers=ann.headers).json()["channel"] == "none"
    assert (
        client.get("/api/v1/updates/preferences", headers=bob.headers).json()["channel"] == "email"
    )  # only Ann's


def test_the_settings_page_saves_with_csrf_and_sends_a_test(
    client: TestClient, ann: User, smtp_server: SmtpServer
) -> None:
    sign_in(client, ann)
    page = client.get("/settings/updates")
    assert page.status_code == 200 and "Where should updates go?" in page.text
    forged = client.post(
        "/settings/updates", data={"csrf": "forged", "channel": "email", "email": "x@evil.test"}
    )
    assert forged.status_code == 403
    saved = client.post(
        "/settings/updates",
        data={
            "csrf": _csrf(page.text),
            "channel": "email",
            "email": "ann@example.com",
            "digest": "1",
            "immediate": "1",
        },
    )
    assert saved.status_code == 200 and "Saved." in saved.text
    tested = client.post("/settings/updates", data={"csrf": _csrf(saved.text), "test": "1"})
    assert "Test queued" in tested.text
    assert _worker_sends(client) == 1
    assert smtp_server.box.messages[-1]["Subject"] == "netgoals test message"
    bad = client.post(
        "/settings/updates", data={"csrf": _csrf(tested.text), "channel": "email", "email": "nope"}
    )
    assert bad.status_code == 422 and "is not an email address" in bad.text


def test_signed_out_settings_go_to_sign_in(client: TestClient) -> None:
    response = client.get("/settings/updates", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/signin")
