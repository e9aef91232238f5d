"""Linking Google Calendar: a consent URL links only for whoever started the flow.

The attack (issue 9): Mallory asks the API for a consent URL and sends it to Ada; Ada approves in
her browser; before the fix, Ada's calendar was then linked to Mallory's account. Played against
the Google fake with two Google users; Ada's approval must link nothing and exchange no code.
Also: one OAuth state is redeemed once even when two callbacks race, on both engines.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from integrations.storage import calendar_store as store
from integrations.storage.database import make_engine, write_transaction
from integrations.storage.migrate import upgrade
from service import google
from service.access import accounts
from service.commands import DomainError
from service.settings import Settings
from tests.api.conftest import Clock, User
from tests.api.test_dashboard import sign_in
from tests.fakes.google_calendar import GoogleCalendarFake

ADA, MALLORY = "ada@example.org", "mallory@example.org"


@pytest.fixture
def fake() -> Iterator[GoogleCalendarFake]:
    with GoogleCalendarFake() as server:
        server.add_user(ADA, time_zone="Europe/Berlin")
        server.add_user(MALLORY, time_zone="Europe/Berlin")
        yield server


@pytest.fixture
def google_settings(fake: GoogleCalendarFake, tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path,
        google_client_id=fake.client_id,
        google_client_secret=fake.client_secret,
        google_auth_uri=fake.auth_uri,
        google_token_uri=fake.token_uri,
        google_revoke_uri=fake.revoke_uri,
        google_api_url=fake.api_url,
        google_batch_uri=fake.batch_uri,
        public_url="http://127.0.0.1:8000",
    )


@pytest.fixture
def web(google_settings: Settings, clock: Clock) -> Iterator[FastAPI]:
    app = create_app(google_settings, clock)
    yield app
    app.state.netgoals.close()


def _user(web: FastAPI, email: str) -> User:
    account = accounts.add_user(web.state.netgoals, email, "Europe/Berlin")
    return User(account.user.user_id, email, account.token)


def _approve(fake: GoogleCalendarFake, url: str, as_who: str) -> dict[str, str]:
    """The person signed in at Google opens the consent URL and approves: Google's redirect."""
    fake.current_user = as_who
    location = httpx.get(url).headers["location"]
    assert location.startswith("http://127.0.0.1:8000/oauth/google/callback?")
    return dict(parse_qsl(urlsplit(location).query))


def _status(client: TestClient, user: User) -> str:
    status: str = client.get("/api/v1/google", headers=user.headers).json()["status"]
    return status


def test_a_consent_url_from_the_api_links_nothing_in_the_victims_browser(
    web: FastAPI, fake: GoogleCalendarFake
) -> None:
    ada, mallory = _user(web, ADA), _user(web, MALLORY)
    with TestClient(web) as attacker, TestClient(web) as victim_signed_in, TestClient(web) as victim:
        url = attacker.post("/api/v1/google/connect", headers=mallory.headers).json()["url"]
        sign_in(victim_signed_in, ada)  # Ada signed in to her own dashboard: still not Mallory's
        for browser in (victim, victim_signed_in):
            query = _approve(fake, url, ADA)
            answer = browser.get("/oauth/google/callback", params=query, follow_redirects=False)
            assert answer.status_code == 400, answer.text
            assert "another account" in answer.text
            url = attacker.post("/api/v1/google/connect", headers=mallory.headers).json()["url"]
        assert _status(attacker, mallory) == "not-connected"
        assert _status(victim, ada) == "not-connected"
        assert fake.granted_scopes(ADA) == []  # no code was exchanged for Ada's calendar

        # Mallory, signed in to her own dashboard, can finish her own flow.
        sign_in(attacker, mallory)
        query = _approve(fake, url, MALLORY)
        assert attacker.get("/oauth/google/callback", params=query, follow_redirects=False).status_code == 303
        assert _status(attacker, mallory) == "connected"
        assert fake.granted_scopes(ADA) == []


def test_a_dashboard_flow_is_bound_to_the_session_that_started_it(
    web: FastAPI, fake: GoogleCalendarFake
) -> None:
    ada = _user(web, ADA)
    with TestClient(web) as laptop, TestClient(web) as phone:
        sign_in(laptop, ada)
        sign_in(phone, ada)  # the same person, another browser
        url = laptop.get("/connect/google", follow_redirects=False).headers["location"]
        query = _approve(fake, url, ADA)
        assert phone.get("/oauth/google/callback", params=query).status_code == 400
        url = laptop.get("/connect/google", follow_redirects=False).headers["location"]
        query = _approve(fake, url, ADA)
        answer = laptop.get("/oauth/google/callback", params=query, follow_redirects=False)
        assert answer.status_code == 303
        assert _status(laptop, ada) == "connected"


def test_a_state_expires_after_minutes(web: FastAPI, fake: GoogleCalendarFake, clock: Clock) -> None:
    ada = _user(web, ADA)
    with TestClient(web) as browser:
        sign_in(browser, ada)
        url = browser.get("/connect/google", follow_redirects=False).headers["location"]
        query = _approve(fake, url, ADA)
        clock.advance(minutes=11)
        answer = browser.get("/oauth/google/callback", params=query)
        assert answer.status_code == 400
        assert "expired" in answer.text


def test_one_state_is_taken_once_when_callbacks_race(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    now = datetime(2026, 11, 25, 11, tzinfo=UTC).timestamp()
    racers, trials = 6, 15
    try:
        for trial in range(trials):
            state = f"state-{trial}"
            with write_transaction(engine) as connection:
                store.add_state(connection, state, "user-1", "sealed", now)
            start = threading.Barrier(racers)
            won: list[tuple[str, str]] = []

            def redeem(
                state: str = state, start: threading.Barrier = start, won: list[tuple[str, str]] = won
            ) -> None:
                start.wait()
                with write_transaction(engine) as connection:
                    found = store.take_state(connection, state, now + 1)
                if found is not None:
                    won.append(found)

            threads = [threading.Thread(target=redeem) for _ in range(racers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert won == [("user-1", "sealed")], f"trial {trial}: {len(won)} callbacks took the state"
    finally:
        engine.dispose()


def test_a_loopback_state_cannot_be_finished_by_a_browser(
    web: FastAPI, fake: GoogleCalendarFake, google_settings: Settings
) -> None:
    """A state made for the CLI's own receiver on 127.0.0.1 is refused at the web callback, and a
    web state is refused by the loopback path."""
    ada = _user(web, ADA)
    service = web.state.netgoals
    context = google.Google.open(google_settings)
    url = google.begin_connect(service, context, ada.user_id, loopback=True)
    query = _approve(fake, url, ADA)
    with pytest.raises(DomainError, match="another account"):
        google.complete_connect(
            service, context, query["state"], query["code"], finisher=google.Browser(ada.user_id)
        )
    url = google.begin_connect(service, context, ada.user_id)
    query = _approve(fake, url, ADA)
    with pytest.raises(DomainError, match="another account"):
        google.complete_connect(service, context, query["state"], query["code"], finisher=google.LOOPBACK)
    assert fake.granted_scopes(ADA) == []
