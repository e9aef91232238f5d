"""CalDAV end to end at the use-case level, against a real Radicale on loopback: connect with
discovery, count an attended meetup once (however often the calendar is re-read, a lost sync token
included), plan blocks into the calendar, and respect what the person did to them in their own
client (a move, a delete, a ✓, an edit racing netgoals' write)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from domain.decisions import GoalSpec
from domain.errors import DomainError
from integrations.storage import caldav_store
from integrations.storage import calendar_store as outbox_store
from integrations.storage.database import make_engine, read_transaction, write_transaction
from integrations.storage.migrate import upgrade
from service.access import users
from service.app import App
from service.caldav import connect as caldav_connect
from service.caldav.context import POLL_SECONDS, CalDAV
from service.caldav.sync import poll_due, sync_once
from service.read_models import progress as progress_service
from service.settings import Settings
from service.shapes.caldav import CalDAVStatusOut
from service.tracking import goals
from tests.caldav.conftest import new_calendar
from tests.caldav.people import GONE, calendars_gone
from tests.caldav.servers import Server
from tests.caldav.user_client import Attendee, UserClient, event, local
from tests.conftest import FixedClock, machine_redis_url

ADA = "ada@example.org"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # a Saturday


@dataclass
class World:
    app: App
    caldav: CalDAV
    clock: FixedClock
    user_id: str
    server: Server
    mine: UserClient  # the person's own calendar, read for attended events
    goals_url: str = ""

    def connect(self, **extra: object) -> caldav_connect.Connected:
        name = f"Networking goals {uuid.uuid4().hex[:6]}"
        self.goals_url = self.mine.use("").make_calendar(name.lower().replace(" ", "-"), name)
        options = {"read": [self.mine.calendar_url], "plan_into": self.goals_url, **extra}
        return caldav_connect.connect(
            self.app,
            self.caldav,
            self.user_id,
            self.server.base_url,
            username=self.server.username,
            password=self.server.password,
            **options,  # type: ignore[arg-type]
        )

    def goals_client(self) -> UserClient:
        return self.mine.use(self.goals_url)

    def sync(self) -> object:
        report = sync_once(self.app, self.caldav, self.user_id)
        assert report.error is None, report.error
        return report

    def done(self) -> dict[str, int]:
        return {
            line.progress.goal.title: line.progress.current.done
            for line in progress_service.progress(self.app, self.user_id)
        }


@pytest.fixture
def world(radicale_server: Server, tmp_path: Path) -> Iterator[World]:
    clock = FixedClock(NOW)
    engine = make_engine(f"sqlite:///{tmp_path / 'netgoals.db'}")
    upgrade(engine)
    app = App(engine, clock)
    settings = Settings(home=tmp_path / "home", allow_private_sources=True)
    user = users.register(app, ADA, "Europe/Berlin")
    mine = new_calendar(radicale_server)
    yield World(app, CalDAV.open(settings), clock, user.user_id, radicale_server, mine)
    mine.close()
    engine.dispose()


def _row(world: World, action_id: str) -> dict[str, object]:
    with read_transaction(world.app.engine) as connection:
        (row,) = [
            r for r in outbox_store.outbox_rows(connection, world.user_id) if r["action_id"] == action_id
        ]
    return row


def _meetup(world: World, start: datetime, partstat: str = "ACCEPTED") -> None:
    world.mine.add(
        event(
            "Climate Tech Meetup",
            start,
            organizer="host@example.com",
            attendees=[Attendee(ADA, partstat), Attendee("grace@example.com", "ACCEPTED")],
        )
    )


def test_connect_discovers_the_home_from_the_bare_server_and_keeps_the_password_sealed(world: World) -> None:
    connected = world.connect()
    assert connected.plan_into.calendar_id == world.goals_url
    assert [c.calendar_id for c in connected.read] == [world.mine.calendar_url]
    status = caldav_connect.status(world.app, world.user_id)
    assert status.status == "connected"
    assert "Networking goals" in " ".join(n for n, _r in status.calendars)
    with read_transaction(world.app.engine) as connection:
        dump = "\n".join(
            str(tuple(row))
            for table in ("caldav_accounts", "caldav_calendars", "events")
            for row in connection.execute(text(f"SELECT * FROM {table}"))
        )
    assert world.server.password not in dump


def test_a_wrong_password_or_calendar_is_named_and_nothing_is_stored(world: World) -> None:
    with pytest.raises(DomainError, match="refused the user name or password"):
        caldav_connect.connect(
            world.app, world.caldav, world.user_id, world.server.base_url, username="ada", password="wrong"
        )
    with pytest.raises(DomainError, match="no calendar called 'Nope'"):
        caldav_connect.connect(
            world.app,
            world.caldav,
            world.user_id,
            world.server.base_url,
            username=world.server.username,
            password=world.server.password,
            plan_into="Nope",
        )
    assert caldav_connect.status(world.app, world.user_id).status == "not-connected"


def test_a_private_server_is_refused_unless_settings_allow_it(world: World, tmp_path: Path) -> None:
    strict = CalDAV.open(Settings(home=tmp_path / "home"))
    with pytest.raises(DomainError, match="private"):
        caldav_connect.connect(
            world.app, strict, world.user_id, world.server.base_url, username="ada", password="x"
        )


def test_an_attended_meetup_counts_once_however_often_the_calendar_is_read(world: World) -> None:
    goals.set_goal(world.app, world.user_id, GoalSpec(template="monthly-event"))
    _meetup(world, local(2026, 11, 20, 19))  # ended, accepted
    _meetup(world, local(2026, 11, 21, 19), "DECLINED")
    world.connect()
    world.sync()
    assert world.done() == {"Attend one networking event per month": 1}
    world.sync()
    # The sync state is lost (a restore, a pruned token): a full re-read counts nothing twice.
    with write_transaction(world.app.engine) as connection:
        connection.execute(text("UPDATE caldav_calendars SET state = NULL"))
    world.sync()
    assert world.done() == {"Attend one networking event per month": 1}
    # The calendar state is lost while the log is kept (a restore): the credit's id is derived from
    # the event, so crediting it again appends nothing (invariants 2 and 14).
    with write_transaction(world.app.engine) as connection:
        connection.execute(text("UPDATE caldav_calendars SET state = NULL"))
        connection.execute(text("DELETE FROM caldav_occurrences"))
    world.sync()
    assert world.done() == {"Attend one networking event per month": 1}


def test_a_meetup_deleted_in_the_calendar_is_taken_back(world: World) -> None:
    goals.set_goal(world.app, world.user_id, GoalSpec(template="monthly-event"))
    _meetup(world, local(2026, 11, 20, 19))
    world.connect()
    world.sync()
    assert world.done() == {"Attend one networking event per month": 1}
    (stored,) = world.mine.find_by_summary("Meetup")
    world.mine.delete(stored)
    world.sync()
    assert world.done() == {"Attend one networking event per month": 0}


def test_blocks_are_planned_into_the_calendar_and_the_persons_move_and_delete_are_kept(world: World) -> None:
    goals.set_goal(world.app, world.user_id, GoalSpec(template="monthly-event"))
    world.connect()
    world.sync()
    ours = world.goals_client().objects()
    assert ours, "a block was planned into the calendar"
    block = ours[0]
    with read_transaction(world.app.engine) as connection:
        (row,) = [
            r
            for r in outbox_store.outbox_rows(connection, world.user_id)
            if r["google_event_id"] == block.uid
        ]
    moved_to = (datetime.fromisoformat(row["start"]) + timedelta(days=1, hours=2)).astimezone(BERLIN)
    world.goals_client().move(block, moved_to)
    world.sync()
    world.sync()  # and again: netgoals does not move it back
    kept = world.goals_client().find(block.uid)
    assert kept is not None
    assert kept.master.decoded("DTSTART") == moved_to
    with read_transaction(world.app.engine) as connection:
        (row,) = [
            r
            for r in outbox_store.outbox_rows(connection, world.user_id)
            if r["action_id"] == row["action_id"]
        ]
    assert row["user_moved"]
    world.goals_client().delete(kept)
    world.sync()
    with read_transaction(world.app.engine) as connection:
        (row,) = [
            r
            for r in outbox_store.outbox_rows(connection, world.user_id)
            if r["action_id"] == row["action_id"]
        ]
    assert row["status"] == "skipped"
    assert row["skipped_by_user"]
    assert world.goals_client().find(block.uid) is None  # netgoals did not put it back


def test_an_edit_racing_netgoals_write_is_kept_not_overwritten(world: World) -> None:
    goals.set_goal(world.app, world.user_id, GoalSpec(template="monthly-event"))
    world.connect()
    world.sync()
    block = world.goals_client().objects()[0]
    with read_transaction(world.app.engine) as connection:
        (row,) = [
            r
            for r in outbox_store.outbox_rows(connection, world.user_id)
            if r["google_event_id"] == block.uid
        ]
    with write_transaction(world.app.engine) as connection:
        outbox_store.change_outbox(
            connection, world.user_id, row["action_id"], push=True, title="Networking: new"
        )
    moved_to = (datetime.fromisoformat(row["start"]) + timedelta(hours=3)).astimezone(BERLIN)
    world.goals_client().move(block, moved_to)  # the person's edit: the ETag netgoals holds is stale
    world.sync()
    kept = world.goals_client().find(block.uid)
    assert kept is not None
    assert kept.master.decoded("DTSTART") == moved_to  # their time survives netgoals' write
    row = _row(world, row["action_id"])
    assert row["revision"] == row["pushed_revision"]  # and netgoals' own change went out on top
    assert str(kept.master["SUMMARY"]) == row["title"]


def test_the_workers_poll_when_due_and_back_off_on_errors(world: World) -> None:
    world.connect()
    assert [r.user_id for r in poll_due(world.app, world.caldav)] == [world.user_id]
    assert poll_due(world.app, world.caldav) == []  # not due again for the interval
    with read_transaction(world.app.engine) as connection:
        account = caldav_store.account_of(connection, world.user_id)
    assert account is not None
    assert account.next_poll_at == pytest.approx(NOW.timestamp() + POLL_SECONDS)
    # The server goes away: each failure waits longer (15, 30, 60 minutes).
    with write_transaction(world.app.engine) as connection:
        caldav_store.update_account(
            connection, world.user_id, server_url=GONE, next_poll_at=0
        )
        calendars_gone(connection)
    waits = []
    for _ in range(3):
        (report,) = poll_due(world.app, world.caldav)
        assert report.status == "error"
        with read_transaction(world.app.engine) as connection:
            account = caldav_store.account_of(connection, world.user_id)
        assert account is not None and account.next_poll_at is not None
        waits.append(account.next_poll_at - NOW.timestamp())
        with write_transaction(world.app.engine) as connection:
            caldav_store.update_account(connection, world.user_id, next_poll_at=0)
    assert waits == [POLL_SECONDS, 2 * POLL_SECONDS, 4 * POLL_SECONDS]


def test_disconnect_forgets_the_password_and_stops_polling(world: World) -> None:
    world.connect()
    assert caldav_connect.disconnect(world.app, world.user_id)
    with read_transaction(world.app.engine) as connection:
        account = caldav_store.account_of(connection, world.user_id)
    assert account is not None and account.sealed is None and account.next_poll_at is None
    assert sync_once(world.app, world.caldav, world.user_id).status == "not-connected"
    shown = CalDAVStatusOut.of(caldav_connect.status(world.app, world.user_id)).model_dump_json()
    assert json.loads(shown)["status"] == "disconnected"


def test_the_workers_caldav_task_syncs_the_accounts_that_are_due(world: World, tmp_path: Path) -> None:
    from service.operations import background
    from service.operations.jobs import Jobs, celery_app

    goals.set_goal(world.app, world.user_id, GoalSpec(template="monthly-event"))
    _meetup(world, local(2026, 11, 20, 19))
    world.connect()
    url = world.app.engine.url.render_as_string(hide_password=False)
    key = (world.caldav.settings.home / "secret.key").read_text().strip()  # the world's embedded key
    redis = machine_redis_url("workers")  # the user lock; without a Redis the sync runs unlocked
    settings = Settings(
        **{**world.caldav.settings.model_dump(), "database_url": url, "secret_key": key, "redis_url": redis}
    )
    jobs = Jobs(settings, world.app, celery_app(settings))
    try:
        # Out of time before the first sync (Celery's threads pool sets no limit: the task stops
        # itself between accounts): the account stays due, and the next run syncs it.
        assert background.caldav(jobs, budget_seconds=-1).counts == {"caldav": 0, "failed": 0, "left": 1}
        assert world.done() == {"Attend one networking event per month": 0}
        first = background.caldav(jobs)
        assert first.counts == {"caldav": 1, "failed": 0, "left": 0}
        assert world.done() == {"Attend one networking event per month": 1}
        not_due = background.caldav(jobs).counts  # not due for 15 minutes
        assert not_due == {"caldav": 0, "failed": 0, "left": 0}
        world.clock.now = NOW + timedelta(seconds=POLL_SECONDS)
        assert background.caldav(jobs).counts == {"caldav": 1, "failed": 0, "left": 0}
        assert world.done() == {"Attend one networking event per month": 1}
    finally:
        jobs.close()


def test_a_block_the_person_renamed_keeps_their_words_when_netgoals_writes_it_again(world: World) -> None:
    goals.set_goal(world.app, world.user_id, GoalSpec(template="monthly-event"))
    world.connect()
    world.sync()
    block = world.goals_client().objects()[0]
    world.goals_client().rename(block, "Coffee with Bo (mine)")
    world.sync()
    with read_transaction(world.app.engine) as connection:
        (row,) = [
            r
            for r in outbox_store.outbox_rows(connection, world.user_id)
            if r["google_event_id"] == block.uid
        ]
    with write_transaction(world.app.engine) as connection:  # netgoals has its own words to send
        outbox_store.change_outbox(
            connection, world.user_id, row["action_id"], push=True, title="Networking: new"
        )
    world.sync()
    kept = world.goals_client().find(block.uid)
    assert kept is not None
    assert str(kept.master["SUMMARY"]) == "Coffee with Bo (mine)"
    assert _row(world, row["action_id"])["revision"] == _row(world, row["action_id"])["pushed_revision"]


def test_a_meeting_with_a_known_person_in_a_caldav_calendar_gets_a_brief_and_counts_nothing(
    world: World,
) -> None:
    # Issue 27 x issue 28: meetings come from every calendar; a CalDAV event tomorrow with someone
    # the network knows is kept (though no goal counts it) and briefed; a declined one is not.
    from service.commands import ContactSpec
    from service.people import contacts, next_actions

    contacts.add_contact(
        world.app, world.user_id, ContactSpec(name="Grace Hopper", emails=("grace@example.com",))
    )
    world.connect()
    tomorrow = NOW + timedelta(days=1)
    world.mine.add(
        event(
            "Coffee with Grace",
            tomorrow,
            organizer="grace@example.com",
            attendees=[Attendee(ADA, "NEEDS-ACTION"), Attendee("grace@example.com", "ACCEPTED")],
        )
    )
    world.mine.add(
        event(
            "Lunch I declined",
            tomorrow + timedelta(hours=3),
            organizer="grace@example.com",
            attendees=[Attendee(ADA, "DECLINED"), Attendee("grace@example.com", "ACCEPTED")],
        )
    )
    world.sync()
    briefs = next_actions.briefs(world.app, world.user_id)
    assert [(b.meeting.source, b.meeting.title) for b in briefs] == [("caldav", "Coffee with Grace")]
    assert [p.name for p in briefs[0].people] == ["Grace Hopper"]
    assert world.done() == {}  # kept for the brief, counted for nothing
