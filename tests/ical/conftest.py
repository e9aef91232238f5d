"""Fixtures for the iCalendar tests: a service App on SQLite with a user and goals, settings that
allow the local calendar server, and that server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from domain.decisions import ContactSpec, GoalSpec
from service import ical
from service.access import accounts
from service.app import App
from service.people import contacts
from service.settings import Settings
from service.tracking import actions, goals
from tests.ical.calendar_server import CalendarServer, calendar_server

NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
ME = "ada@example.com"


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class World:
    app: App
    settings: Settings
    clock: Clock
    user_id: str
    token: str
    outreach_goal: str
    event_goal: str

    def events(self) -> int:
        return self.app.store.head_position()


@pytest.fixture
def ical_clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, allow_private_sources=True, source_timeout=2.0)


@pytest.fixture
def world(sqlite_engine: Engine, settings: Settings, ical_clock: Clock) -> World:
    app = App(sqlite_engine, ical_clock)
    account = accounts.add_user(app, ME, "Europe/Berlin")
    user_id = account.user.user_id
    outreach = goals.set_goal(app, user_id, GoalSpec(template="weekly-outreach")).goal_id
    event = goals.set_goal(app, user_id, GoalSpec(template="monthly-event")).goal_id
    return World(app, settings, ical_clock, user_id, account.token, outreach, event)


@pytest.fixture
def server() -> Iterator[CalendarServer]:
    with calendar_server() as running:
        yield running


@dataclass
class Site:
    web: FastAPI
    client: TestClient
    app: App
    settings: Settings
    clock: Clock
    user_id: str
    token: str
    goal_id: str

    def feed_path(self, goal_id: str | None = None) -> str:
        links = ical.feed_links(self.app, self.settings, self.user_id, goal_id)
        return "/" + links.https.split("/", 3)[3]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    clock = Clock()
    settings = Settings(
        home=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'netgoals.db'}",
        secret_key="a test passphrase",
        allow_private_sources=True,
        source_timeout=2.0,
    )
    web = create_app(settings, clock)
    app: App = web.state.netgoals
    account = accounts.add_user(app, "ada@example.com", "Europe/Berlin")
    user_id = account.user.user_id
    why = goals.add_aspiration(app, user_id, "Move into a product role", "new-job")
    goal_id = goals.set_goal(app, user_id, GoalSpec(template="weekly-outreach", aspiration_id=why)).goal_id
    goals.set_goal(app, user_id, GoalSpec(template="monthly-event"))
    ada = contacts.add_contact(app, user_id, ContactSpec(name="Ada Lovelace", emails=("ada@analytical.org",)))
    actions.log_action(
        app, user_id, "reach-out", NOW - timedelta(hours=1), title="Coffee chat with Ada", contact_ids=(ada,)
    )
    with TestClient(web) as client:
        yield Site(web, client, app, settings, clock, user_id, account.token, goal_id)
    app.close()
