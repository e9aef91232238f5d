"""The dashboard's Google Calendar card: connect, see the connection's state, reconnect, disconnect."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from api.app import create_app
from service import google
from service.access import accounts
from service.settings import Settings
from tests.api.conftest import User
from tests.api.test_dashboard import _csrf, sign_in
from tests.conftest import FixedClock
from tests.fakes.google_calendar import GoogleCalendarFake
from tests.google.conftest import ADA, NOW, TZ, settings_for


def test_the_card_walks_a_person_through_connect_reconnect_and_disconnect(
    fake: GoogleCalendarFake, tmp_path: Path
) -> None:
    settings = settings_for(fake, tmp_path)
    web = create_app(settings, FixedClock(NOW))
    service = web.state.netgoals
    account = accounts.add_user(service, ADA, TZ)
    with TestClient(web) as client:
        sign_in(client, User(account.user.user_id, ADA, account.token))
        page = client.get("/").text
        assert 'href="/connect/google"' in page and "Not connected" in page

        consent = client.get("/connect/google", follow_redirects=False)
        assert consent.status_code == 303 and consent.headers["location"].startswith(fake.auth_uri)
        back = httpx.get(consent.headers["location"]).headers["location"]  # the fake approves
        done = client.get(back.removeprefix("http://127.0.0.1:8000"), follow_redirects=False)
        assert done.headers["location"] == "/?done=google-connected"
        page = client.get("/?done=google-connected").text
        assert "Google Calendar connected" in page and ">connected<" in page
        assert "Disconnect Google Calendar" in page

        # Google stops accepting our refresh token: the card says so and offers to reconnect.
        fake.expire_access_tokens(ADA)
        fake.inject_fault("invalid_grant", count=None)
        context = google.Google.open(settings, sleep=lambda _s: None)
        google.sync_once(service, context, account.user.user_id)
        page = client.get("/").text
        assert "reconnect needed" in page and "Reconnect Google Calendar" in page
        fake.clear_faults()

        gone = client.post("/google/disconnect", data={"csrf": _csrf(page)}, follow_redirects=False)
        assert gone.headers["location"] == "/?done=google-disconnected"
        assert "Not connected" in client.get("/").text
        assert client.post("/google/disconnect", data={"csrf": "forged"}).status_code == 400
    service.close()


def test_without_google_credentials_the_card_says_it_is_not_set_up(tmp_path: Path) -> None:
    web = create_app(Settings(home=tmp_path), FixedClock(NOW))
    service = web.state.netgoals
    account = accounts.add_user(service, ADA, TZ)
    with TestClient(web) as client:
        sign_in(client, User(account.user.user_id, ADA, account.token))
        page = client.get("/").text
        assert "Not set up on this server" in page and "/connect/google" not in page
        answer = client.get("/connect/google", follow_redirects=False)
        assert answer.status_code == 404, answer.headers.get("location")  # signed in: not set up here
        answer = TestClient(web).get("/connect/google", follow_redirects=False)  # no session cookie
        assert (answer.status_code, answer.headers["location"]) == (303, "/signin")
    service.close()
