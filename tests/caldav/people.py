"""The same person on every provider, for the provider-level flow tests (`test_flow.py`): netgoals
connected to their calendar, and their own calendar app working on it.

`Person` is what a flow test does: sync, look at netgoals' blocks as the person's app shows them,
move / delete / rename one, get invited and reply, cancel. `GooglePerson` does it on the Google
fake (through its API, the way Google Calendar's app would); `CaldavPerson` on a CalDAV server
through `UserClient`, with one calendar for events and one netgoals plans into.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from cryptography.fernet import Fernet
from sqlalchemy import Connection, text

from domain.decisions import GoalSpec
from domain.event_types import events as ev
from domain.event_types.events import actions_stream
from integrations.storage.database import make_engine
from integrations.storage.migrate import upgrade
from service.access import users
from service.app import App
from service.caldav import connect as caldav_connect
from service.caldav.context import CalDAV
from service.caldav.sync import sync_once as caldav_sync
from service.google.report import Report
from service.settings import Settings
from service.tracking import goals
from tests.caldav.applicability import not_applicable
from tests.caldav.quirks_proxy import QuirksProxy
from tests.caldav.servers import Server, forget_sync_tokens
from tests.caldav.user_client import Attendee, Stored, UserClient, event
from tests.conftest import FixedClock
from tests.google.conftest import World

ADA = "ada@example.org"
HOST = "host@example.org"
TZ = "Europe/Berlin"
NO_MOVED_INSTANCE = "the Google fake cannot move one instance of a series (no exception instances)"
NO_FORGETTING = "Xandikos cannot be made to forget a sync token on demand"


@dataclass(frozen=True)
class Seen:
    """One of netgoals' blocks as the person's calendar shows it."""

    ref: str  # the provider's id for it (Google's event id, the CalDAV resource's href)
    action_id: str
    start: datetime
    summary: str


class Person(Protocol):
    app: App
    user_id: str
    clock: FixedClock

    def connect(self) -> None: ...
    def sync(self) -> Report: ...
    def blocks(self) -> list[Seen]: ...
    def move(self, block: Seen, start: datetime) -> None: ...
    def delete(self, block: Seen) -> None: ...
    def rename(self, block: Seen, summary: str) -> None: ...
    def invite(self, summary: str, start: datetime, partstat: str) -> str: ...
    def reply(self, ref: str, partstat: str) -> None: ...
    def cancel(self, ref: str) -> None: ...
    def busy(self, summary: str, start: datetime, minutes: int) -> None: ...
    def recurring(self, summary: str, first: datetime, count: int, excluded: int, moved: int) -> str: ...
    def exclude(self, ref: str, first: datetime, n: int) -> None: ...
    def forget_sync_token(self) -> None: ...


def goal(app: App, user_id: str, template: str) -> str:
    return goals.set_goal(app, user_id, GoalSpec(template=template)).goal_id


def done_keys(app: App, user_id: str) -> list[str]:
    """What counted from calendars: one key per done action not retracted since."""
    stream = list(app.store.read_stream(actions_stream(user_id)))
    retracted = {e.data.get("action_id") for e in stream if e.type == ev.ACTION_RETRACTED}
    return sorted(
        str(e.data.get("action_id"))
        for e in stream
        if e.type == ev.ACTION_DONE and e.data.get("action_id") not in retracted
    )


# --- Google (the fake) ---------------------------------------------------------------------------

_RESPONSE = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative"}


class GooglePerson:
    def __init__(self, world: World) -> None:
        self.world = world
        self.app, self.user_id, self.clock = world.app, world.user_id, world.clock

    def connect(self) -> None:
        self.world.connect()

    def sync(self) -> Report:
        report: Report = self.world.sync()
        return report

    def blocks(self) -> list[Seen]:
        found = [
            Seen(
                e["id"],
                e["extendedProperties"]["private"]["netgoals_action"],
                datetime.fromisoformat(e["start"]["dateTime"]),
                e["summary"],
            )
            for e in self.world.our_events()
            if e.get("status") != "cancelled"
        ]
        return sorted(found, key=lambda s: s.start)

    def move(self, block: Seen, start: datetime) -> None:
        self.world.fake.move_event(ADA, block.ref, start=start, calendar_id=self.world.goals_calendar())

    def delete(self, block: Seen) -> None:
        self.world.fake.delete_event(ADA, block.ref, calendar_id=self.world.goals_calendar())

    def rename(self, block: Seen, summary: str) -> None:
        self.world.fake.update_event(
            ADA, block.ref, {"summary": summary}, calendar_id=self.world.goals_calendar()
        )

    def invite(self, summary: str, start: datetime, partstat: str) -> str:
        created = self.world.invite(summary, start, _RESPONSE.get(partstat, "needsAction"), [HOST])
        return str(created["id"])

    def reply(self, ref: str, partstat: str) -> None:
        self.world.fake.set_response_status(ADA, ref, _RESPONSE[partstat])

    def cancel(self, ref: str) -> None:
        self.world.fake.cancel_event(ADA, ref)

    def busy(self, summary: str, start: datetime, minutes: int) -> None:
        self.world.add_event(summary, start, minutes)

    def recurring(self, summary: str, first: datetime, count: int, excluded: int, moved: int) -> str:
        not_applicable("google", NO_MOVED_INSTANCE)

    def forget_sync_token(self) -> None:
        self.world.fake.expire_sync_tokens(ADA, "primary")

    def exclude(self, ref: str, first: datetime, n: int) -> None:
        current = self.world.fake.get_event(ADA, ref)
        rules = [*current["recurrence"], _google_exdate(_weekly(first, n))]
        self.world.fake.update_event(ADA, ref, {"recurrence": rules})


# --- CalDAV (Radicale, Xandikos, the quirks proxy) -----------------------------------------------


class CaldavPerson:
    def __init__(
        self,
        server: Server,
        folder: Path,
        now: datetime,
        events: UserClient,
        goals_url: str,
        proxy: QuirksProxy | None = None,
    ) -> None:
        self.server, self.events, self.proxy = server, events, proxy
        self.goals_client = events.use(goals_url)
        self.clock = FixedClock(now)
        engine = make_engine(f"sqlite:///{folder / 'netgoals.db'}")
        upgrade(engine)
        self.app = App(engine, self.clock)
        settings = Settings(
            home=folder / "home",
            secret_key=Fernet.generate_key().decode(),
            allow_private_sources=True,
            public_url="http://127.0.0.1:8000",
        )
        self.caldav = CalDAV.open(settings)
        self.user_id = users.register(self.app, ADA, TZ).user_id
        self.goals_url = goals_url

    def connect(self) -> None:
        caldav_connect.connect(
            self.app,
            self.caldav,
            self.user_id,
            self.server.base_url,
            username=self.server.username,
            password=self.server.password,
            read=[self.events.calendar_url],
            plan_into=self.goals_url,
        )

    def close(self) -> None:
        self.app.close()

    def sync(self) -> Report:
        return caldav_sync(self.app, self.caldav, self.user_id)

    def _ours(self) -> list[Stored]:
        return [o for o in self.goals_client.objects() if "X-NETGOALS-ACTION" in o.master]

    def blocks(self) -> list[Seen]:
        found = [
            Seen(
                o.href,
                str(o.master["X-NETGOALS-ACTION"]),
                o.master.decoded("DTSTART"),
                str(o.master["SUMMARY"]),
            )
            for o in self._ours()
            if str(o.master.get("STATUS", "")).upper() != "CANCELLED"
        ]
        return sorted(found, key=lambda s: s.start)

    def _stored(self, block: Seen) -> Stored:
        return self.goals_client.get_href(block.ref)

    def move(self, block: Seen, start: datetime) -> None:
        self.goals_client.move(self._stored(block), start)

    def delete(self, block: Seen) -> None:
        self.goals_client.delete(self._stored(block))

    def rename(self, block: Seen, summary: str) -> None:
        self.goals_client.rename(self._stored(block), summary)

    def invite(self, summary: str, start: datetime, partstat: str) -> str:
        stored = self.events.add(
            event(
                summary,
                start,
                organizer=HOST,
                attendees=[Attendee(ADA, partstat), Attendee(HOST, "ACCEPTED")],
            )
        )
        return stored.href

    def reply(self, ref: str, partstat: str) -> None:
        self.events.reply(self.events.get_href(ref), ADA, partstat)

    def cancel(self, ref: str) -> None:
        self.events.cancel(self.events.get_href(ref))

    def busy(self, summary: str, start: datetime, minutes: int) -> None:
        self.events.add(event(summary, start, start + timedelta(minutes=minutes), organizer=ADA))

    def recurring(self, summary: str, first: datetime, count: int, excluded: int, moved: int) -> str:
        attendees = [Attendee(ADA, "ACCEPTED"), Attendee(HOST, "ACCEPTED")]
        stored = self.events.recurring(
            summary,
            first,
            count,
            excluded=[excluded],
            overridden={moved: timedelta(hours=2)},
            organizer=HOST,
            attendees=attendees,
        )
        return stored.href

    def forget_sync_token(self) -> None:
        if self.proxy is not None:
            self.proxy.quirks.sync_invalid = True
        elif not forget_sync_tokens(self.server, self.events.calendar_url):
            not_applicable(self.server.name, NO_FORGETTING)

    def exclude(self, ref: str, first: datetime, n: int) -> None:
        stored = self.events.get_href(ref)
        self.events.edit(stored, lambda master: master.add("exdate", _weekly(first, n)))


def _weekly(first: datetime, n: int) -> datetime:
    """The nth weekly instance at the same wall-clock time (across a DST change)."""
    return (first.replace(tzinfo=None) + timedelta(weeks=n)).replace(tzinfo=first.tzinfo)


def _google_exdate(when: datetime) -> str:
    return f"EXDATE;TZID={when.tzinfo}:{when.strftime('%Y%m%dT%H%M%S')}"


def report_ok(report: Any) -> None:
    assert report.error is None, report.error


GONE = "http://127.0.0.1:9/"  # nothing listens on port 9 (discard): a server that went away


def calendars_gone(connection: Connection) -> None:
    """Every stored CalDAV home and calendar now points at a server that went away."""
    connection.execute(text(f"UPDATE caldav_accounts SET home = '{GONE}ada/'"))
    connection.execute(text(f"UPDATE caldav_calendars SET calendar_id = '{GONE}' || role || '/'"))
