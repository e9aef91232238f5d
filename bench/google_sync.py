"""Google Calendar sync cost against the fake (in its own process, so its memory is not ours).

Shows, for one user:
- an incremental sync with nothing changed: requests per calendar (target: exactly 1), and a whole
  quiet `sync_once` (pull both calendars, nothing to plan or push);
- a full sync of N events: list calls (target: ceil(N / page size)), time, and the peak of Python
  memory traced in our process (target: flat — at one page size, a 10,000-event sync peaks near a
  1,000-event one: memory follows the page, not the calendar); "again" is what a second full sync
  (after a 410) appends: 0;
- a sync with k changes: requests, time and time per change (target: O(k)).
Run: .venv/bin/python -m bench.google_sync [--events 10000] [--page-size 2500] [--changes 10 100 1000]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from google.auth.transport.requests import Request as GoogleAuthRequest

from domain.decisions import GoalSpec
from integrations.google.calendar import GoogleCalendar
from integrations.storage import calendar_store
from integrations.storage.database import make_engine, read_transaction
from integrations.storage.migrate import upgrade
from service import google
from service.access import users
from service.app import App
from service.google.ids import PRIMARY
from service.google.pull import pull
from service.google.report import Report
from service.settings import Settings
from service.tracking import goals

ADA = "ada@example.org"
NOW = datetime(2026, 11, 28, 10, tzinfo=UTC)
_FAKE = """
import sys
from datetime import datetime, timedelta, timezone
from tests.fakes.google_calendar import GoogleCalendarFake
count, page = int(sys.argv[1]), int(sys.argv[2])
fake = GoogleCalendarFake()
fake.add_user("ada@example.org", time_zone="Europe/Berlin")
fake.max_page_size = page
start = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
for i in range(count):
    at = start + timedelta(hours=3 * i % 7000)
    body = {"summary": "Networking meetup" if i % 100 == 0 else f"Work block {i}",
            "start": {"dateTime": at.isoformat()}, "end": {"dateTime": (at + timedelta(hours=1)).isoformat()}}
    if i % 100 == 0:
        body["organizer"] = {"email": "host@x.org"}
        body["attendees"] = [{"email": "ada@example.org", "responseStatus": "accepted"},
                             {"email": f"guest{i}@x.org", "responseStatus": "accepted"}]
    fake.add_event("ada@example.org", body)
fake.start()
print(fake.base_url, flush=True)
sys.stdin.read()
fake.stop()
"""


class Fake:
    """The fake in a child process, driven through its control API."""

    def __init__(self, events: int, page_size: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _FAKE, str(events), str(page_size)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base_url}/_control/{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request) as answer:
            return json.loads(answer.read() or b"null")

    def requests(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.control("GET", "requests")
        self.control("DELETE", "requests")
        return [r for r in found if r["path"].startswith("/calendar/v3/")]

    def settings(self, home: Path) -> Settings:
        return Settings(
            home=home,
            google_client_id="netgoals-test.apps.googleusercontent.com",
            google_client_secret="fake-client-secret",
            google_auth_uri=f"{self.base_url}/o/oauth2/auth",
            google_token_uri=f"{self.base_url}/token",
            google_revoke_uri=f"{self.base_url}/revoke",
            google_api_url=f"{self.base_url}/calendar/v3/",
            google_batch_uri=f"{self.base_url}/batch/calendar/v3",
            public_url="https://netgoals.invalid",  # no push channels in the bench
        )


def _user(folder: Path, fake: Fake) -> tuple[App, google.Google, str]:
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    upgrade(engine)
    app = App(engine, lambda: NOW)
    context = google.Google.open(fake.settings(folder / "home"), sleep=lambda _s: None)
    user_id = users.register(app, ADA, "Europe/Berlin").user_id
    goals.set_goal(app, user_id, GoalSpec(template="monthly-event"))
    url = google.begin_connect(app, context, user_id, "http://127.0.0.1:9/oauth/google/callback")
    params = dict(parse_qsl(urlsplit(httpx.get(url).headers["location"]).query))
    google.complete_connect(app, context, params["state"], params["code"], finisher=google.Browser(user_id))
    return app, context, user_id


def _client(app: App, context: google.Google, user_id: str) -> GoogleCalendar:
    with read_transaction(app.engine) as connection:
        record = calendar_store.connection_of(connection, user_id)
    assert record is not None
    assert record.tokens
    return context.client(context.vault.open_sealed(record.tokens))


def _pull_primary(app: App, client: GoogleCalendar, user_id: str) -> Report:
    report = Report(user_id)
    pull(app, client, user_id, PRIMARY, app.profile(user_id), report)
    return report


def full_sync(events: int, page_size: int) -> tuple[int, float, int, int, int]:
    """(list calls, seconds, traced peak bytes, done appended, appended by a second full sync) of
    the first pull of a primary calendar holding `events` events (1 in 100 an attended meetup)."""
    fake = Fake(events, page_size)
    try:
        with tempfile.TemporaryDirectory() as folder:
            app, context, user_id = _user(Path(folder), fake)
            with app.engine.begin() as connection:
                calendar_store.set_calendar(connection, user_id, PRIMARY, "primary")
            client = _client(app, context, user_id)  # parsing the discovery document is not the sync
            client.credentials.refresh(GoogleAuthRequest())
            fake.requests()
            tracemalloc.start()
            started = time.perf_counter()
            report = _pull_primary(app, client, user_id)
            seconds = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            calls = sum(1 for r in fake.requests() if r["path"].endswith("/events"))
            with app.engine.begin() as connection:  # drop the token: a second full sync
                calendar_store.set_calendar(connection, user_id, PRIMARY, "primary")
            again = _pull_primary(app, client, user_id)
            app.close()
            return calls, seconds, peak, report.done, again.done
    finally:
        fake.close()


def quiet_and_changes(events: int, page_size: int, changes: list[int]) -> None:
    fake = Fake(events, page_size)
    try:
        with tempfile.TemporaryDirectory() as folder:
            app, context, user_id = _user(Path(folder), fake)
            google.sync_once(app, context, user_id)
            google.sync_once(app, context, user_id)
            google.sync_once(app, context, user_id)
            fake.requests()
            started = time.perf_counter()
            report = google.sync_once(app, context, user_id)
            seconds = time.perf_counter() - started
            made = fake.requests()
            per_calendar: dict[str, int] = {}
            for r in made:
                calendar = r["path"].split("/")[4]
                per_calendar[calendar] = per_calendar.get(calendar, 0) + 1
            split = ", ".join(f"{v} for {k[:12]}…" for k, v in per_calendar.items())
            print(
                f"quiet sync_once: {len(made)} requests ({split}), {seconds * 1000:.1f} ms, {report.status}"
            )
            listed = fake.control("GET", f"users/{ADA}/calendars/primary/events")
            ids = [e["id"] for e in listed if e.get("summary", "").startswith("Work block")]
            print(f"{'changes':>8} {'requests':>9} {'pull ms':>8} {'ms/change':>10} {'seen':>6}")
            offset = 0
            for k in changes:
                for event_id in ids[offset : offset + k]:
                    fake.control(
                        "PATCH",
                        f"users/{ADA}/calendars/primary/events/{event_id}",
                        {"summary": "Renamed block"},
                    )
                offset += k
                fake.requests()
                started = time.perf_counter()
                pulled = _pull_primary(app, _client(app, context, user_id), user_id)
                seconds = time.perf_counter() - started
                calls = len(fake.requests())
                ms = seconds * 1000
                print(f"{k:>8} {calls:>9} {ms:>8.1f} {ms / k:>10.3f} {pulled.changes_seen:>6}")
            app.close()
    finally:
        fake.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=2500)
    parser.add_argument("--changes", type=int, nargs="+", default=[10, 100, 1000])
    args = parser.parse_args()
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    header = ("events", "page", "list calls", "expected", "seconds", "peak MiB", "done", "again")
    print("{:>8} {:>5} {:>10} {:>8} {:>8} {:>9} {:>5} {:>6}".format(*header))
    for page in (250, args.page_size):
        for events in (args.events // 10, args.events):
            calls, seconds, peak, done, again = full_sync(events, page)
            expected = math.ceil(events / page)
            print(
                f"{events:>8} {page:>5} {calls:>10} {expected:>8} {seconds:>8.2f}"
                f" {peak / 2**20:>9.1f} {done:>5} {again:>6}"
            )
    quiet_and_changes(args.events, args.page_size, args.changes)


if __name__ == "__main__":
    main()
