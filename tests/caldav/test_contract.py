"""The calendar port's contract (`domain/calendars/calendar_port.py`), the same tests for every provider:
CalDAV on Radicale, on Xandikos and on Radicale behind the quirks proxy (no MKCALENDAR, no
free-busy, sync answers with extra items, PUT answers without ETag), and Google on its fake.

The person acts through their own client (`user_client.py`): they move, rename, cancel or delete
netgoals' blocks, reply to invitations, keep recurring events with EXDATEs and moved instances, in
zones with a DST change, and edit a block while netgoals holds an old ETag.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.calendars.attendance import ATTENDED, NOT_ATTENDED, CalendarEvent, attendance
from domain.calendars.calendar_port import (
    Block,
    CalendarProvider,
    Changes,
    RateLimitedError,
    ReconnectNeededError,
    WriteOutcome,
)
from integrations.google.provider import GoogleProvider
from integrations.storage import calendar_store
from integrations.storage.database import read_transaction
from tests.caldav.applicability import not_applicable
from tests.caldav.conftest import new_calendar
from tests.caldav.google_user import NO_SERIES, GoogleUser
from tests.caldav.people import NO_FORGETTING
from tests.caldav.quirks_proxy import QuirksProxy
from tests.caldav.servers import Server, forget_sync_tokens
from tests.caldav.user_client import Attendee, UserClient, event, local
from tests.google.conftest import World, fake, make_world  # noqa: F401 - the Google fixtures

ADA = "ada@example.org"
BERLIN = ZoneInfo("Europe/Berlin")
WINDOW = (datetime(2026, 9, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC))
NOW = datetime(2026, 11, 28, 10, tzinfo=UTC)
PROVIDERS = ["radicale", "xandikos", "quirks", "google"]
NO_IF_MATCH = (
    "Google's client writes without If-Match (last writer wins): the pull that runs before "
    "every push is what notices the person's edit (integrations/google/provider.py)"
)
NO_ACCOUNTS = "Xandikos has no accounts of its own (a reverse proxy would authenticate)"
GRANTS = "Google: a revoked grant is tests/google's (test_google_faults.py)"
FAULTS = "only the quirks proxy answers 503 and 429 on demand"


@dataclass
class Subject:
    """One provider under test, with the person's client on the calendar it reads and writes."""

    name: str
    port: CalendarProvider
    user: UserClient | GoogleUser
    calendar_id: str
    proxy: QuirksProxy | None = None
    world: World | None = None  # Google's

    def forget_sync_token(self) -> None:
        """The server no longer accepts the sync token netgoals keeps (where a test can make it so)."""
        if self.proxy is not None:
            self.proxy.quirks.sync_invalid = True
        elif self.world is not None:
            self.world.fake.expire_sync_tokens(ADA, self.calendar_id)
        elif not isinstance(self.user, UserClient) or not forget_sync_tokens(
            self.user.server, self.calendar_id
        ):
            not_applicable(self.name, NO_FORGETTING)

    def no_preconditions(self) -> None:
        if self.name == "google":
            not_applicable(self.name, NO_IF_MATCH)


def google_provider(world: World) -> CalendarProvider:
    """Google behind the port, with the tokens the real OAuth flow stored for the person."""
    with read_transaction(world.app.engine) as connection:
        found = calendar_store.connection_of(connection, world.user_id)
    assert found is not None and found.tokens is not None
    tokens: dict[str, Any] = world.google.vault.open_sealed(found.tokens)
    return GoogleProvider(world.google.client(tokens))


def caldav_provider(server: Server, password: str | None = None) -> CalendarProvider:
    """netgoals' CalDAV provider as a person connects it: the server's address, name and password."""
    from integrations.caldav.provider import CalDAVProvider
    from integrations.caldav.session import Session

    session = Session(server.username, password or server.password, allow_private=True)
    return CalDAVProvider(session, server.base_url, BERLIN, WINDOW, emails=(ADA,))


@pytest.fixture(params=PROVIDERS)
def subject(request: pytest.FixtureRequest) -> Iterator[Subject]:
    name = request.param
    if name == "google":
        world: World = request.getfixturevalue("make_world")()
        world.connect()
        google = google_provider(world)
        calendar_id = google.create_calendar("Networking goals", "Europe/Berlin")
        assert calendar_id
        yield Subject(name, google, GoogleUser(world.fake, ADA, calendar_id), calendar_id, world=world)
        return
    proxy: QuirksProxy | None = None
    if name == "quirks":
        proxy = request.getfixturevalue("quirks")
        user = new_calendar(proxy.server)  # made before MKCALENDAR is refused, as a person would
        proxy.quirks.no_mkcalendar = True
        proxy.quirks.no_freebusy = True
        proxy.quirks.sync_extra = True
        proxy.quirks.no_put_etag = True
        server = proxy.server
    else:
        server = request.getfixturevalue(f"{name}_contract_server")
        user = new_calendar(server)
    yield Subject(name, caldav_provider(server), user, user.calendar_url, proxy)
    user.close()


@pytest.fixture(scope="session")
def radicale_contract_server(radicale_server: Server) -> Server:
    return radicale_server


@pytest.fixture(scope="session")
def xandikos_contract_server(xandikos_http_server: Server) -> Server:
    """Plain http: netgoals' outbound client trusts only public CAs (see /work/wt/caldav-notes.md)."""
    return xandikos_http_server


def block(title: str = "Networking: reach out", start: datetime | None = None) -> Block:
    start = start or local(2026, 12, 2, 9)
    action = str(uuid.uuid4())
    return Block(
        uid=uuid.uuid5(uuid.NAMESPACE_URL, action).hex,  # what netgoals makes: valid for Google's ids too
        action_id=action,
        goal_id="g1",
        title=title,
        description="planned by netgoals",
        start=start,
        end=start + timedelta(minutes=45),
        time_zone="Europe/Berlin",
    )


def by_key(changes: Changes) -> dict[str, CalendarEvent]:
    keys = [e.key for e in changes.events]
    assert len(keys) == len(set(keys)), f"one answer names an occurrence twice: {keys}"
    return {e.key: e for e in changes.events}


def only(changes: Changes, uid: str) -> list[CalendarEvent]:
    return sorted((e for e in changes.events if e.event_id == uid), key=lambda e: e.start or NOW)


# --- connect -------------------------------------------------------------------------------------


def test_connect_finds_the_persons_calendar(subject: Subject, request: pytest.FixtureRequest) -> None:
    connected = subject.port.connect()
    assert subject.calendar_id in [c.calendar_id for c in connected.calendars]


@pytest.mark.not_on("xandikos", reason=NO_ACCOUNTS)
@pytest.mark.not_on("google", reason=GRANTS)
def test_a_wrong_password_asks_to_connect_again(subject: Subject) -> None:
    if subject.name == "xandikos":
        not_applicable(subject.name, NO_ACCOUNTS)
    if not isinstance(subject.user, UserClient):
        not_applicable(subject.name, GRANTS)
    wrong = caldav_provider(subject.user.server, password="wrong")
    with pytest.raises(ReconnectNeededError):
        wrong.connect()


def test_netgoals_calendar_is_made_once_or_refused_cleanly(
    subject: Subject, request: pytest.FixtureRequest
) -> None:
    name = f"Networking goals {uuid.uuid4().hex[:6]}"
    made = subject.port.create_calendar(name, "Europe/Berlin")
    if subject.name == "quirks":
        assert made is None  # no MKCALENDAR: the person chooses a calendar instead
        return
    assert made is not None
    again = subject.port.create_calendar(name, "Europe/Berlin")
    assert again == made  # a retried connect finds the calendar it made


# --- blocks and the person's edits ---------------------------------------------------------------


def test_a_block_is_written_once_under_its_uid(subject: Subject, request: pytest.FixtureRequest) -> None:
    planned = block()
    first = subject.port.put_block(subject.calendar_id, planned, None)
    assert first.outcome is WriteOutcome.WRITTEN and first.version
    again = subject.port.put_block(subject.calendar_id, planned, None)  # a retried create
    assert again.outcome is WriteOutcome.CONFLICT
    (stored,) = subject.user.objects()
    assert stored.uid == planned.uid
    assert stored.master.decoded("DTSTART") == planned.start


def test_the_person_moves_a_block_and_netgoals_sees_it(subject: Subject) -> None:
    planned = block()
    subject.port.put_block(subject.calendar_id, planned, None)
    state = subject.port.changes(subject.calendar_id, None).state
    (stored,) = subject.user.objects()
    subject.user.move(stored, local(2026, 12, 3, 15))

    seen = subject.port.changes(subject.calendar_id, state)
    (moved,) = only(seen, planned.uid)
    assert moved.start == local(2026, 12, 3, 15)
    assert subject.user.objects()[0].master.decoded("DTSTART") == local(2026, 12, 3, 15)


def test_the_person_deletes_a_block_and_netgoals_sees_it_gone(subject: Subject) -> None:
    planned = block()
    written = subject.port.put_block(subject.calendar_id, planned, None)
    state = subject.port.changes(subject.calendar_id, None).state
    (stored,) = subject.user.objects()
    subject.user.delete(stored)

    seen = subject.port.changes(subject.calendar_id, state)
    # gone: named in `removed`, or (Google) listed as cancelled
    assert planned.uid in seen.removed or all(e.cancelled for e in only(seen, planned.uid))
    assert planned.uid in seen.removed or only(seen, planned.uid)
    update = subject.port.put_block(subject.calendar_id, planned, written.version)
    assert update.outcome is WriteOutcome.GONE
    assert subject.user.objects() == []  # not brought back
    gone = subject.port.delete_block(subject.calendar_id, planned.uid, written.version)
    assert gone.outcome is WriteOutcome.GONE


@pytest.mark.not_on("google", reason=NO_IF_MATCH)
def test_a_concurrent_edit_is_a_412_conflict_and_the_persons_edit_survives(subject: Subject) -> None:
    subject.no_preconditions()
    planned = block()
    written = subject.port.put_block(subject.calendar_id, planned, None)
    (stored,) = subject.user.objects()
    subject.user.rename(stored, "Coffee with Bo (mine)")
    moved = replace(planned, start=local(2026, 12, 4, 9), end=local(2026, 12, 4, 10))
    answer = subject.port.put_block(subject.calendar_id, moved, written.version)
    assert answer.outcome is WriteOutcome.CONFLICT
    assert answer.current is not None and answer.current.summary == "Coffee with Bo (mine)"
    deleted = subject.port.delete_block(subject.calendar_id, planned.uid, written.version)
    assert deleted.outcome is WriteOutcome.CONFLICT
    assert str(subject.user.objects()[0].master["SUMMARY"]) == "Coffee with Bo (mine)"
    # with the version just read, netgoals' write goes through
    fresh = subject.port.put_block(subject.calendar_id, moved, answer.version)
    assert fresh.outcome is WriteOutcome.WRITTEN


def test_a_tick_in_the_title_reaches_netgoals(subject: Subject) -> None:
    planned = block("Networking: coffee with Bo")
    subject.port.put_block(subject.calendar_id, planned, None)
    state = subject.port.changes(subject.calendar_id, None).state
    subject.user.rename(subject.user.objects()[0], "✓ Networking: coffee with Bo")
    (renamed,) = only(subject.port.changes(subject.calendar_id, state), planned.uid)
    assert renamed.summary.startswith("✓")


@pytest.mark.not_on("google", reason=NO_IF_MATCH)
def test_a_block_written_without_an_etag_in_the_answer_still_has_a_version(subject: Subject) -> None:
    subject.no_preconditions()
    written = subject.port.put_block(subject.calendar_id, block(), None)
    assert written.version == subject.user.objects()[0].etag


# --- what the person's calendar says -------------------------------------------------------------


@pytest.mark.parametrize(
    ("partstat", "response", "counted"),
    [
        ("ACCEPTED", "accepted", ATTENDED),
        ("DECLINED", "declined", NOT_ATTENDED),
        ("TENTATIVE", "tentative", NOT_ATTENDED),
    ],
)
def test_the_persons_reply_is_read(subject: Subject, partstat: str, response: str, counted: str) -> None:
    stored = subject.user.add(
        event(
            "Python meetup",
            local(2026, 11, 12, 19),
            organizer="host@example.org",
            attendees=[Attendee(ADA, "NEEDS-ACTION"), Attendee("host@example.org", "ACCEPTED")],
        )
    )
    state = subject.port.changes(subject.calendar_id, None).state
    subject.user.reply(stored, ADA, partstat)
    (meetup,) = only(subject.port.changes(subject.calendar_id, state), stored.uid)
    (me,) = [a for a in meetup.attendees if a.is_self]
    assert me.response == response
    assert attendance(meetup, NOW) == counted


def test_a_cancelled_event_counts_nothing(subject: Subject) -> None:
    stored = subject.user.add(
        event("Dinner", local(2026, 11, 20, 19), organizer=ADA, attendees=[Attendee(ADA, "ACCEPTED")])
    )
    state = subject.port.changes(subject.calendar_id, None).state
    subject.user.cancel(stored)
    (dinner,) = only(subject.port.changes(subject.calendar_id, state), stored.uid)
    assert dinner.cancelled and attendance(dinner, NOW) == NOT_ATTENDED


@pytest.mark.not_on("google", reason=NO_SERIES)
def test_a_series_with_an_exdate_and_a_moved_instance(subject: Subject) -> None:
    first = local(2026, 10, 6, 18)  # weekly, across the end of summer time on 25 October
    stored = subject.user.recurring(
        "Tuesday club",
        first,
        5,
        excluded=[1],
        overridden={3: timedelta(hours=2)},
        organizer="host@example.org",
        attendees=[Attendee(ADA, "ACCEPTED")],
    )
    instances = only(subject.port.changes(subject.calendar_id, None), stored.uid)
    starts = [e.start for e in instances]
    assert starts == [
        local(2026, 10, 6, 18),
        local(2026, 10, 20, 18),
        local(2026, 10, 27, 20),  # the moved one
        local(2026, 11, 3, 18),
    ]
    assert [s.astimezone(UTC).hour for s in starts if s] == [16, 16, 19, 17]  # DST ended between
    assert len({e.original_start for e in instances}) == 4 and all(e.original_start for e in instances)


@pytest.mark.not_on("google", reason=NO_SERIES)
def test_times_in_another_zone_keep_their_instant(subject: Subject) -> None:
    # New York leaves summer time a week after Berlin: 1 November 2026
    stored = subject.user.recurring(
        "NYC call", local(2026, 10, 29, 9, zone="America/New_York"), 2, freq="WEEKLY", organizer=ADA
    )
    instances = only(subject.port.changes(subject.calendar_id, None), stored.uid)
    assert [e.start.astimezone(UTC) for e in instances if e.start] == [
        datetime(2026, 10, 29, 13, tzinfo=UTC),
        datetime(2026, 11, 5, 14, tzinfo=UTC),
    ]


# --- sync state ----------------------------------------------------------------------------------


def test_an_incremental_read_names_only_what_changed(subject: Subject) -> None:
    kept = subject.user.add(event("Old", local(2026, 11, 2, 9), organizer=ADA))
    state = subject.port.changes(subject.calendar_id, None).state
    added = subject.user.add(event("New", local(2026, 11, 3, 9), organizer=ADA))
    seen = subject.port.changes(subject.calendar_id, state)
    assert {e.event_id for e in seen.events} == {added.uid}  # extra items from the server are dropped
    assert kept.uid not in seen.removed
    assert subject.port.changes(subject.calendar_id, seen.state).events == []


@pytest.mark.not_on("xandikos", reason=NO_FORGETTING)
def test_an_invalidated_sync_token_falls_back_and_names_each_change_once(subject: Subject) -> None:
    gone = subject.user.add(event("Gone", local(2026, 11, 2, 9), organizer=ADA))
    subject.user.add(event("Kept", local(2026, 11, 4, 9), organizer=ADA))
    state = subject.port.changes(subject.calendar_id, None).state
    subject.forget_sync_token()
    subject.user.delete(gone)
    added = subject.user.add(event("New", local(2026, 11, 3, 9), organizer=ADA))
    seen = subject.port.changes(subject.calendar_id, state)
    by_key(seen)  # no occurrence named twice
    if seen.full:  # a full listing: what is not in it (or is cancelled) is gone
        present = {e.event_id for e in seen.events if not e.cancelled}
        assert gone.uid not in present and added.uid in present
    else:  # an incremental answer, worked out by comparing ETags
        assert {e.event_id for e in seen.events} == {added.uid}
        assert list(seen.removed) == [gone.uid]
    again = subject.port.changes(subject.calendar_id, seen.state)
    assert again.events == [] and list(again.removed) == []


def test_busy_time_is_answered_with_or_without_free_busy(
    subject: Subject, request: pytest.FixtureRequest
) -> None:
    subject.user.add(event("Dentist", local(2026, 12, 1, 10), local(2026, 12, 1, 11), organizer=ADA))
    busy = subject.port.busy([subject.calendar_id], local(2026, 12, 1, 0), local(2026, 12, 2, 0))
    assert [(b.start, b.end) for b in busy] == [(local(2026, 12, 1, 10), local(2026, 12, 1, 11))]


@pytest.mark.not_on("radicale", "xandikos", "google", reason=FAULTS)
def test_503_and_429_say_when_to_come_back(subject: Subject) -> None:
    if subject.proxy is None:
        not_applicable(subject.name, FAULTS)
    for status in (503, 429):
        subject.proxy.fail_next(status, 1, retry_after=7)
        with pytest.raises(RateLimitedError) as raised:
            subject.port.changes(subject.calendar_id, None)
        assert raised.value.retry_after == 7
    assert subject.port.changes(subject.calendar_id, None).state  # the next call goes through
