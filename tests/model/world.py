"""The whole service in one process for the model test: the web app (for the feeds), the service
layer it holds, the Google Calendar fake on a real port, an iCal calendar server and a webhook
receiver for progress updates — on SQLite, or on PostgreSQL with NETGOALS_MODEL_DATABASE=postgresql.

The servers live for the whole test (each example gets its own Google user and calendar path); the
database, the home folder and the account are new for every example."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from service import google
from service.access import accounts
from service.app import App
from service.settings import Settings
from service.updates import Updates
from tests.conftest import FixedClock, scratch_postgres
from tests.fakes.google_calendar import GoogleCalendarFake
from tests.google.conftest import connect_through_the_fake
from tests.ical.calendar_server import CalendarServer, calendar_server
from tests.updates.receivers import WebhookReceiver

TZ = "Europe/Berlin"
START = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # a Saturday: a week and a month end soon
ENGINE = os.environ.get("NETGOALS_MODEL_DATABASE", "sqlite")
_numbers = itertools.count()


@dataclass
class Servers:
    fake: GoogleCalendarFake
    calendars: CalendarServer
    hooks: WebhookReceiver


@contextmanager
def servers() -> Iterator[Servers]:
    with GoogleCalendarFake() as fake, calendar_server() as calendars, WebhookReceiver() as hooks:
        yield Servers(fake, calendars, hooks)


@contextmanager
def database(home: Path) -> Iterator[str]:
    """A new, empty database for one example."""
    if ENGINE == "sqlite":
        yield f"sqlite:///{home / 'netgoals.db'}"
        return
    if ENGINE != "postgresql":
        raise ValueError(f"NETGOALS_MODEL_DATABASE={ENGINE!r}: use sqlite or postgresql")
    with scratch_postgres("netgoals_model") as url:
        yield url


class World:
    """One person's netgoals, its calendars and its clock."""

    def __init__(self, running: Servers) -> None:
        self.servers = running
        self.home = Path(tempfile.mkdtemp(prefix="netgoals-model-"))
        self._database = database(self.home)
        url = self._database.__enter__()
        number = next(_numbers)
        self.email = f"person{number}@example.org"
        self.calendar_path = f"/model/{number}.ics"
        running.fake.add_user(self.email, time_zone=TZ)
        fake = running.fake
        self.settings = Settings(
            home=self.home,
            database_url=url,
            secret_key="a model test passphrase",  # type: ignore[arg-type]
            google_client_id=fake.client_id,
            google_client_secret=fake.client_secret,  # type: ignore[arg-type]
            google_auth_uri=fake.auth_uri,
            google_token_uri=fake.token_uri,
            google_revoke_uri=fake.revoke_uri,
            google_api_url=fake.api_url,
            google_batch_uri=fake.batch_uri,
            public_url="http://127.0.0.1:8000",
            allow_private_sources=True,
            allow_private_targets=True,
            source_timeout=5.0,
        )
        self.clock = FixedClock(START)
        self.web = create_app(self.settings, self.clock)
        self.client = TestClient(self.web)
        self.client.__enter__()
        self.app: App = self.web.state.netgoals
        self.google = google.Google.open(self.settings, sleep=lambda _seconds: None)
        self.updates = Updates.open(self.settings)
        account = accounts.add_user(self.app, self.email, TZ)
        self.user_id = account.user.user_id
        self.token = account.token

    def connect_google(self) -> None:
        """The real OAuth flow against the fake (it approves by itself)."""
        self.servers.fake.current_user = self.email  # the fake approves as its current user
        connect_through_the_fake(self.app, self.google, self.user_id)

    def fresh_app(self, name: str) -> tuple[App, Any]:
        """Another, empty store (for export -> import), on the same engine kind."""
        folder = self.home / name
        folder.mkdir()
        holder = database(folder)
        url = holder.__enter__()
        return App.open(Settings(home=folder, database_url=url), self.clock), holder

    def close(self) -> None:
        self.client.__exit__(None, None, None)
        self._database.__exit__(None, None, None)
        shutil.rmtree(self.home, ignore_errors=True)
