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
from typer.testing import CliRunner

from api.app import create_app
from cli.main import app as cli
from service.updates import Updates, deliver_due
from tests.api.conftest import Clock, User, add_user
from tests.api.test_dashboard import _csrf, sign_in
from tests.shape_api import api_for, cli_json
from tests.updates.conftest import CONFIRM_LINK, confirmation_path, make_settings
from tests.updates.receivers import MailBox, SmtpServer, WebhookReceiver


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


def _confirm(client: TestClient, box: MailBox, address: str) -> None:
    """A worker sends the link (no worker runs here: its task's work is done by hand); its owner
    opens it and presses the button."""
    _worker_sends(client)
    token = confirmation_path(box, address).partition("token=")[2]
    assert client.post("/updates/confirm-email", data={"token": token}).status_code == 200


def _choose_email(client: TestClient, who: User, box: MailBox) -> None:
    choose = {"channel": "email", "email": who.email}
    assert client.put("/api/v1/updates/preferences", headers=who.headers, json=choose).status_code == 200
    _confirm(client, box, who.email)


def test_nothing_goes_to_an_address_before_its_owner_confirms_it(
    client: TestClient, web: FastAPI, ann: User, smtp_server: SmtpServer
) -> None:
    """The probe: anyone's address, then 30 x "send me a test" delivered 30 mails. Now the address
    gets one mail, the link to confirm it, and nothing else until that link is used."""
    box = smtp_server.box
    choose = {"channel": "email", "email": "victim@example.org"}
    answer = client.put("/api/v1/updates/preferences", headers=ann.headers, json=choose)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["channel"], answer.json()["confirmation"]) == ("email", "waiting")
    assert box.messages == [], "the API sent the confirmation mail in the request"
    assert _worker_sends(client) == 1
    for _ in range(30):  # refused before anything is queued, so the hourly limit never applies
        test = client.post("/api/v1/updates/test", headers=ann.headers)
        assert test.status_code == 422 and "waiting for confirmation" in test.text, test.text
    assert client.put("/api/v1/updates/preferences", headers=ann.headers, json=choose).status_code == 200
    assert [m["Subject"] for m in box.messages] == ["Confirm your address for netgoals updates"]
    assert client.get("/api/v1/updates/preferences", headers=ann.headers).json()["confirmation"] == "waiting"

    link = confirmation_path(box, "victim@example.org")
    page = client.get(link)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200 and "victim@example.org" in page.text
    token = link.partition("token=")[2]
    assert client.post("/updates/confirm-email", data={"token": token[:-3] + "AAA"}).status_code == 400
    assert client.get("/api/v1/updates/preferences", headers=ann.headers).json()["confirmation"] == "waiting"
    confirmed = client.post("/updates/confirm-email", data={"token": token})
    assert confirmed.status_code == 200 and "is confirmed" in confirmed.text
    assert (
        client.get("/api/v1/updates/preferences", headers=ann.headers).json()["confirmation"] == "confirmed"
    )
    history = client.get("/api/v1/history", headers=ann.headers).json()
    assert [h["data"]["email"] for h in history if h["type"] == "user.updates-email-confirmed"] == [
        "victim@example.org"
    ]
    sign_in(client, ann)
    assert "Update address confirmed" in client.get("/history").text  # a label people read

    test = client.post("/api/v1/updates/test", headers=ann.headers)
    assert test.status_code == 202, test.text
    assert (test.json()["state"], test.json()["result"]) == ("pending", "/api/v1/updates")
    assert len(box.messages) == 1, "the API sent it in the request"
    assert _worker_sends(client) == 1
    assert box.messages[-1]["To"] == "victim@example.org" and len(box.messages) == 2
    listed = client.get("/api/v1/updates", headers=ann.headers).json()
    assert sorted((x["kind"], x["state"]) for x in listed) == [
        ("confirm-email", "delivered"),
        ("test", "delivered"),
    ]


def test_a_confirmation_link_is_for_one_person_and_one_address(
    client: TestClient, ann: User, bob: User, smtp_server: SmtpServer
) -> None:
    """Bob chooses Ann's link's address for himself: Ann's link confirms it for Ann only."""
    for who in (ann, bob):
        client.put(
            "/api/v1/updates/preferences", headers=who.headers, json={"channel": "email", "email": "a@x.org"}
        )
    assert _worker_sends(client) == 2
    anns, bobs = (m for m in smtp_server.box.messages)
    token = CONFIRM_LINK.search(anns.get_body(("plain",)).get_content())[1].partition("token=")[2]  # type: ignore[index]
    assert client.post("/updates/confirm-email", data={"token": token}).status_code == 200
    states = [
        client.get("/api/v1/updates/preferences", headers=w.headers).json()["confirmation"]
        for w in (ann, bob)
    ]
    assert states in (["confirmed", "waiting"], ["waiting", "confirmed"])  # the link names its person
    assert bobs["To"] == "a@x.org"


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
        _choose_email(client, who, smtp_server.box)
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


def test_a_one_click_post_to_the_link_unsubscribes(
    client: TestClient, ann: User, bob: User, smtp_server: SmtpServer
) -> None:
    """RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click` to the List-Unsubscribe URL."""
    for who in (ann, bob):
        _choose_email(client, who, smtp_server.box)
    client.post("/api/v1/updates/test", headers=ann.headers)
    assert _worker_sends(client) == 1  # a worker sends the queued test
    link = smtp_server.box.messages[-1]["List-Unsubscribe"].strip("<>")
    path = urlsplit(link)._replace(scheme="", netloc="").geturl()
    one_click = {"List-Unsubscribe": "One-Click"}

    assert client.post(path, data={"List-Unsubscribe": "Other"}).status_code == 400  # not the one-click body
    assert client.post(path.replace("token=", "token=x"), data=one_click).status_code == 400
    assert client.get("/api/v1/updates/preferences", headers=ann.headers).json()["channel"] == "email"

    done = client.post(path, data=one_click)
    assert done.status_code == 200
    assert client.get("/api/v1/updates/preferences", headers=ann.headers).json()["channel"] == "none"
    assert client.get("/api/v1/updates/preferences", headers=bob.headers).json()["channel"] == "email"


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
    assert saved.status_code == 200 and "We are sending a link to ann@example.com" in saved.text
    waiting = client.post("/settings/updates", data={"csrf": _csrf(saved.text), "test": "1"})
    assert "waiting for confirmation" in waiting.text
    assert (
        "Waiting for confirmation: we sent a link to ann@example.com" in client.get("/settings/updates").text
    )
    _confirm(client, smtp_server.box, "ann@example.com")
    tested = client.post("/settings/updates", data={"csrf": _csrf(saved.text), "test": "1"})
    assert "Test queued" in tested.text and "Waiting for confirmation" not in tested.text
    assert _worker_sends(client) == 1
    assert smtp_server.box.messages[-1]["Subject"] == "netgoals test message"
    bad = client.post(
        "/settings/updates", data={"csrf": _csrf(tested.text), "channel": "email", "email": "nope"}
    )
    assert bad.status_code == 422 and "is not an email address" in bad.text


def test_signed_out_settings_go_to_sign_in(client: TestClient) -> None:
    response = client.get("/settings/updates", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/signin")


def _cli_environment(
    tmp_path: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch, **extra: str
) -> None:
    """The CLI on a store of its own in `tmp_path`, sending through the test's mail server."""
    for name, value in {
        "NETGOALS_HOME": str(tmp_path),
        "NETGOALS_DATABASE_URL": f"sqlite:///{tmp_path / 'netgoals.db'}",
        "NETGOALS_SECRET_KEY": "test-secret-key-for-updates",
        "NETGOALS_SMTP_HOST": "127.0.0.1",
        "NETGOALS_SMTP_PORT": str(smtp_server.port),
        "NETGOALS_SMTP_SECURITY": "none",
        "NETGOALS_PUBLIC_URL": "https://netgoals.test",
        **extra,
    }.items():
        monkeypatch.setenv(name, value)


def test_the_cli_says_waiting_and_confirms_with_the_link(
    tmp_path: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`netgoals notify email` queues the link and says so; `notify status` and `notify test` say
    the address waits; `notify confirm LINK` confirms it (no web server needed)."""
    _cli_environment(tmp_path, smtp_server, monkeypatch, COLUMNS="200")
    runner = CliRunner()
    assert runner.invoke(cli, ["user", "add", "ann@example.com"]).exit_code == 0
    chose = runner.invoke(cli, ["notify", "email", "ann@example.com", "--user", "ann@example.com"])
    assert chose.exit_code == 0 and "waiting for confirmation" in chose.output, chose.output
    status = runner.invoke(cli, ["notify", "status", "--user", "ann@example.com"])
    assert "Waiting for confirmation" in status.output
    as_json = runner.invoke(cli, ["notify", "status", "--user", "ann@example.com", "--json"])
    assert '"confirmation": "waiting"' in as_json.output
    refused = runner.invoke(cli, ["notify", "test", "--user", "ann@example.com"])
    assert refused.exit_code == 1 and "waiting for confirmation" in refused.output
    assert len(smtp_server.box.messages) == 1

    link = "https://netgoals.test" + confirmation_path(smtp_server.box, "ann@example.com")
    confirmed = runner.invoke(cli, ["notify", "confirm", link])
    assert confirmed.exit_code == 0 and "ann@example.com is confirmed" in confirmed.output, confirmed.output
    assert "Waiting" not in runner.invoke(cli, ["notify", "status", "--user", "ann@example.com"]).output
    sent = runner.invoke(cli, ["notify", "test", "--user", "ann@example.com"])
    assert sent.exit_code == 0, sent.output
    assert smtp_server.box.messages[-1]["Subject"] == "netgoals test message"


def test_the_cli_and_the_api_answer_the_same_shapes(
    tmp_path: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One shape per resource (issue 25): `notify status --json` and the preferences (read or set),
    `updates --json` and GET /api/v1/updates, dump the same models (service/shapes/updates.py)."""
    settings = make_settings(tmp_path, smtp_server.port, f"sqlite:///{tmp_path / 'netgoals.db'}")
    _cli_environment(tmp_path, smtp_server, monkeypatch, NETGOALS_USER="ann@example.com")
    runner = CliRunner()
    assert runner.invoke(cli, ["user", "add", "ann@example.com"]).exit_code == 0
    assert runner.invoke(cli, ["notify", "email", "ann@example.com", "--no-digest"]).exit_code == 0
    link = "https://netgoals.test" + confirmation_path(smtp_server.box, "ann@example.com")
    assert runner.invoke(cli, ["notify", "confirm", link]).exit_code == 0
    assert runner.invoke(cli, ["notify", "test"]).exit_code == 0  # one update sent
    shown = cli_json("notify", "status")
    assert (shown["confirmation"], shown["digest"], shown["webhook_secret"]) == ("confirmed", False, None)
    assert set(shown) == {
        "channel", "email", "webhook_format", "immediate", "digest", "failing", "pending",
        "confirmation", "webhook_secret",
    }  # fmt: skip
    sent = cli_json("updates")
    assert [u["subject"] for u in sent] == [
        "netgoals test message",
        "Confirm your address for netgoals updates",
    ]
    with api_for("ann@example.com", settings) as (client, auth):
        assert client.get("/api/v1/updates/preferences", headers=auth).json() == shown
        assert client.get("/api/v1/updates", headers=auth).json() == sent
        again = {"channel": "email", "email": "ann@example.com", "digest": False}
        assert client.put("/api/v1/updates/preferences", json=again, headers=auth).json() == shown
