"""Fixtures for the Google Calendar tests: the fake on a real port, a real SQLite database, a
fixed clock, and a user with goals, connected through the real OAuth flow."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from domain.decisions import ContactSpec, GoalSpec
from integrations.storage.database import make_engine
from integrations.storage.migrate import upgrade
from service import google
from service.access import users
from service.app import App
from service.people import contacts
from service.read_models import progress as progress_service
from service.settings import Settings
from service.tracking import goals
from tests.conftest import FixedClock
from tests.fakes.google_calendar import GoogleCalendarFake

ADA = "ada@example.org"
TZ = "Europe/Berlin"
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # a Saturday


def settings_for(fake: GoogleCalendarFake, home: Path, **extra: Any) -> Settings:
    return Settings(
        home=home,
        google_client_id=fake.client_id,
        google_client_secret=fake.client_secret,
        google_auth_uri=fake.auth_uri,
        google_token_uri=fake.token_uri,
        google_revoke_uri=fake.revoke_uri,
        google_api_url=fake.api_url,
        google_batch_uri=fake.batch_uri,
        **{"public_url": "http://127.0.0.1:8000", **extra},
    )


@pytest.fixture
def fake() -> Iterator[GoogleCalendarFake]:
    with GoogleCalendarFake() as server:
        server.add_user(ADA, time_zone=TZ)
        yield server


def connect_through_the_fake(app: App, context: google.Google, user_id: str) -> None:
    """The real OAuth flow against the Google fake (it approves as its current user by itself)."""
    url = google.begin_connect(app, context, user_id)
    answer = httpx.get(url)
    assert answer.status_code == 302, answer.text
    params = dict(parse_qsl(urlsplit(answer.headers["location"]).query))
    finisher = google.Browser(user_id)
    state, code, error = params["state"], params.get("code"), params.get("error")
    google.complete_connect(app, context, state, code, error, finisher=finisher)


@dataclass
class World:
    fake: GoogleCalendarFake
    app: App
    google: google.Google
    clock: FixedClock
    user_id: str
    sleeps: list[float]

    def connect(self) -> None:
        connect_through_the_fake(self.app, self.google, self.user_id)

    def sync(self) -> Any:
        return google.sync_once(self.app, self.google, self.user_id)

    def goal(self, template: str, **spec: Any) -> str:
        return goals.set_goal(self.app, self.user_id, GoalSpec(template=template, **spec)).goal_id

    def contact(self, name: str, email: str) -> str:
        return contacts.add_contact(self.app, self.user_id, ContactSpec(name=name, emails=(email,)))

    def progress(self) -> dict[str, tuple[int, int]]:
        return {
            line.progress.goal.title: (line.progress.current.done, line.progress.current.target)
            for line in progress_service.progress(self.app, self.user_id)
        }

    def goals_calendar(self) -> str:
        status = google.status(self.app, self.user_id)
        assert status.calendar_id
        return status.calendar_id

    def our_events(self) -> list[dict[str, Any]]:
        return self.fake.list_events(ADA, calendar_id=self.goals_calendar())

    def add_event(self, summary: str, start: datetime, minutes: int = 60, **extra: Any) -> dict[str, Any]:
        return self.fake.add_event(
            ADA,
            {
                "summary": summary,
                "start": {"dateTime": start.isoformat()},
                "end": {"dateTime": (start + timedelta(minutes=minutes)).isoformat()},
                **extra,
            },
        )

    def invite(
        self, summary: str, start: datetime, response: str, others: list[str], **extra: Any
    ) -> dict[str, Any]:
        attendees = [{"email": ADA, "responseStatus": response}] + [
            {"email": e, "responseStatus": "accepted", "displayName": e.split("@")[0].title()} for e in others
        ]
        return self.add_event(
            summary,
            start,
            organizer={"email": others[0] if others else "host@example.com"},
            attendees=attendees,
            **extra,
        )


@pytest.fixture
def make_world(fake: GoogleCalendarFake, tmp_path: Path) -> Iterator[Callable[..., World]]:
    made: list[App] = []

    def make(database_url: str | None = None, **extra: Any) -> World:
        clock = FixedClock(NOW)
        url = database_url or f"sqlite:///{tmp_path / 'netgoals.db'}"
        engine = make_engine(url)
        upgrade(engine)
        app = App(engine, clock)
        made.append(app)
        sleeps: list[float] = []
        settings = settings_for(fake, tmp_path / "home", **extra)
        context = google.Google.open(settings, sleep=sleeps.append)
        user = users.register(app, ADA, TZ)
        return World(fake, app, context, clock, user.user_id, sleeps)

    yield make
    for app in made:
        app.close()


@pytest.fixture
def world(make_world: Callable[..., World]) -> World:
    return make_world()
