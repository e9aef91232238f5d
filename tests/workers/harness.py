"""Real worker and beat processes (celery, as compose and `serve` start them) around one SQLite
database and the Google fake, with a connected user and a producer-side `Jobs` in the test."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from cryptography.fernet import Fernet

from domain.decisions import GoalSpec
from domain.event_types import events as ev
from domain.event_types.events import actions_stream
from integrations.storage import calendar_store as store
from integrations.storage.database import read_transaction
from service import google
from service.access import users
from service.app import App
from service.operations import background
from service.operations.jobs import Jobs, celery_app
from service.operations.serve import child_commands
from service.settings import Settings
from service.tracking import goals
from tests.fakes.google_calendar import GoogleCalendarFake

ADA = "ada@example.org"


def children_of(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@dataclass
class Cluster:
    fake: GoogleCalendarFake
    folder: Path
    redis_url: str
    extra: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        fake = self.fake
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("NETGOALS_")}
        self.env.update(
            {
                "NETGOALS_HOME": str(self.folder / "home"),
                "NETGOALS_DATABASE_URL": f"sqlite:///{self.folder / 'netgoals.db'}",
                "NETGOALS_SECRET_KEY": Fernet.generate_key().decode(),
                "NETGOALS_REDIS_URL": self.redis_url,
                "NETGOALS_PUBLIC_URL": "http://127.0.0.1:9/",  # nobody listens: push is not under test
                "NETGOALS_GOOGLE_CLIENT_ID": fake.client_id,
                "NETGOALS_GOOGLE_CLIENT_SECRET": fake.client_secret,
                "NETGOALS_GOOGLE_AUTH_URI": fake.auth_uri,
                "NETGOALS_GOOGLE_TOKEN_URI": fake.token_uri,
                "NETGOALS_GOOGLE_REVOKE_URI": fake.revoke_uri,
                "NETGOALS_GOOGLE_API_URL": fake.api_url,
                "NETGOALS_GOOGLE_BATCH_URI": fake.batch_uri,
                "NETGOALS_TASK_TIME_LIMIT": "20",
                "NETGOALS_VISIBILITY_TIMEOUT": "60",
                "NETGOALS_USER_LOCK_SECONDS": "2",
                "NETGOALS_SWEEP_SECONDS": "1",
                "NETGOALS_PUSH_DEBOUNCE_SECONDS": "0",
                **self.extra,
            }
        )
        self.settings = Settings(
            **{k[len("NETGOALS_") :].lower(): v for k, v in self.env.items() if k.startswith("NETGOALS_")}
        )
        self.app = App.open(self.settings)
        self.jobs = Jobs(self.settings, self.app, celery_app(self.settings))
        self.google = google.Google.open(self.settings, sleep=lambda _s: None)

    # --- processes ------------------------------------------------------------------------------

    def start(self, kind: str, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("ab")
        command = [*child_commands("127.0.0.1", 0, hostname=f"{name}@%h")[kind], *args]
        process = subprocess.Popen(
            command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def wait_ready(self, process: subprocess.Popen[bytes], name: str, timeout: float = 90) -> None:
        """Ready when its heartbeat is in Redis (sent once the worker consumes)."""
        log = self.folder / f"{name}.log"
        deadline = time.monotonic() + timeout
        while not any(h.startswith(f"{name}@") for h in self.jobs.redis.hkeys("netgoals:workers")):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{name} did not start: " + log.read_text(errors="replace")[-2000:])
            time.sleep(0.1)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.app.close()
        self.jobs.close()

    # --- the user -------------------------------------------------------------------------------

    def connect_user(self) -> str:
        user_id = users.register(self.app, ADA, "Europe/Berlin").user_id
        goals.set_goal(self.app, user_id, GoalSpec(template="monthly-event"))
        url = google.begin_connect(self.app, self.google, user_id)
        params = dict(parse_qsl(urlsplit(httpx.get(url).headers["location"]).query))
        google.complete_connect(
            self.app, self.google, params["state"], params.get("code"), finisher=google.Browser(user_id)
        )
        self.user_id = user_id
        return user_id

    def add_meetup(self, index: int) -> None:
        start = datetime.now(UTC) - timedelta(hours=2, minutes=5 * index)
        self.fake.add_event(
            ADA,
            {
                "summary": f"Networking meetup {index}",
                "start": {"dateTime": start.isoformat()},
                "end": {"dateTime": (start + timedelta(minutes=30)).isoformat()},
                "organizer": {"email": "host@x.org"},
                "attendees": [
                    {"email": ADA, "responseStatus": "accepted"},
                    {"email": "host@x.org", "responseStatus": "accepted"},
                ],
            },
        )

    # --- what happened --------------------------------------------------------------------------

    def settled(self) -> bool:
        with read_transaction(self.app.engine) as connection:
            found = store.connection_of(connection, self.user_id)
            pending = store.pending_outbox(connection)
        client = self.jobs.redis
        return (
            found is not None
            and found.sync_requested is None
            and not pending
            and client.llen("netgoals") == 0
            and client.hlen("unacked") == 0
        )

    def settle(self, timeout: float = 120) -> None:
        """Sweep (as beat would) until nothing is pending."""
        deadline = time.monotonic() + timeout
        while not self.settled():
            if time.monotonic() > deadline:
                raise AssertionError("work did not settle")
            background.sweep(self.jobs)
            time.sleep(0.3)

    def done_actions(self) -> list[dict[str, Any]]:
        return [
            e.data
            for e in self.app.store.read_stream(actions_stream(self.user_id))
            if e.type == ev.ACTION_DONE and e.data.get("source") == "google"
        ]
