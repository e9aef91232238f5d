"""Reading iCalendar sources end to end: a real local HTTP server, the real fetcher and reader,
SQLite. What counts (accepted, organised, trusted), that re-reading never counts twice (ids, ETag,
fingerprints for invented UIDs), accepted events counted once they end even behind 304s, and
cancellations retracting what was counted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.event_types import events as ev
from integrations.storage.schema import v_actions
from service import ical
from tests.ical.calendar_server import CalendarServer, Route
from tests.ical.conftest import World
from tests.ical.ics import vcalendar, vevent

COFFEE = vevent("c1@x", "20261120T090000Z", "20261120T093000Z", "Coffee chat with Bo")
MEETUP = vevent("m1@x", "20261118T170000Z", "20261118T190000Z", "Python Meetup Berlin")
DECLINED = vevent("d1@x", "20261119T170000Z", "20261119T190000Z", "Networking mixer", partstat="DECLINED")
UNRELATED = vevent("u1@x", "20261121T090000Z", "20261121T100000Z", "Dentist")


def _done(world: World) -> list[dict[str, object]]:
    found = world.app.store.read_all(user_id=world.user_id)
    return [e.data for e in found if e.type == ev.ACTION_DONE]


def _live_kinds(world: World) -> list[str]:
    with world.app.engine.connect() as connection:
        rows = connection.execute(
            select(v_actions.c.kind).where(
                v_actions.c.user_id == world.user_id, v_actions.c.retracted.is_(False)
            )
        )
        return sorted(r[0] for r in rows)


def _add(world: World, server: CalendarServer, path: str, **options: object) -> str:
    return ical.add_source(world.app, world.settings, world.user_id, server.url(path), **options).source_id  # type: ignore[arg-type]


def test_accepted_events_that_match_a_goal_count_once(world: World, server: CalendarServer) -> None:
    server.routes["/cal.ics"] = Route(vcalendar(COFFEE, MEETUP, DECLINED, UNRELATED), etag='"v1"')
    source_id = _add(world, server, "/cal.ics")
    report = ical.sync_source(world.app, world.settings, source_id)
    assert report.status == "ok" and report.events_seen == 4
    assert sorted(d["kind"] for d in _done(world)) == ["attend-event", "reach-out"]
    assert {d["source"] for d in _done(world)} == {"ical"}
    before = world.events()
    # The same calendar again: 304 (the ETag came back), nothing new.
    again = ical.sync_source(world.app, world.settings, source_id)
    assert again.status == "not-modified" and world.events() == before
    assert server.requests[-1][1]["if-none-match"] == '"v1"'
    # A changed ETag, the same events: re-read in full, still nothing new (deterministic ids).
    server.routes["/cal.ics"].etag = '"v2"'
    assert ical.sync_source(world.app, world.settings, source_id).status == "ok"
    assert world.events() == before
    listed = ical.get_source(world.app, world.user_id, source_id)
    assert listed.actions_derived == 2 and listed.events_seen == 4 and listed.last_error is None


def test_removing_and_adding_the_same_address_again_counts_nothing_twice(
    world: World, server: CalendarServer
) -> None:
    server.routes["/cal.ics"] = Route(vcalendar(COFFEE, MEETUP))
    first = _add(world, server, "/cal.ics")
    ical.sync_source(world.app, world.settings, first)
    before = world.events()
    ical.remove_source(world.app, world.user_id, first)
    second = _add(world, server, "/cal.ics")
    ical.sync_source(world.app, world.settings, second)
    assert world.events() == before
    assert len(_live_kinds(world)) == 2


def test_organizer_counts_and_trust_all_counts_any_past_event(world: World, server: CalendarServer) -> None:
    organised = vevent(
        "o1@x",
        "20261117T170000Z",
        "20261117T180000Z",
        "Networking happy hour",
        partstat=None,
        organizer="ada@example.com",
    )
    nobody = vevent("n1@x", "20261116T170000Z", "20261116T180000Z", "Coffee with Cy", partstat=None)
    server.routes["/a.ics"] = Route(vcalendar(organised, nobody))
    ical.sync_source(world.app, world.settings, _add(world, server, "/a.ics"))
    assert _live_kinds(world) == ["attend-event"]  # organised: yes; no PARTSTAT of mine: no
    server.routes["/b.ics"] = Route(vcalendar(nobody))
    ical.sync_source(world.app, world.settings, _add(world, server, "/b.ics", trust_all=True))
    assert _live_kinds(world) == ["attend-event", "reach-out"]


def test_an_accepted_event_still_to_come_counts_once_it_has_ended_even_behind_304(
    world: World, server: CalendarServer
) -> None:
    later = vevent("l1@x", "20261125T170000Z", "20261125T180000Z", "Coffee chat with Di")
    server.routes["/cal.ics"] = Route(vcalendar(later), etag='"same"')
    source_id = _add(world, server, "/cal.ics")
    ical.sync_source(world.app, world.settings, source_id)
    assert _done(world) == []
    world.clock.advance(hours=8)
    report = ical.sync_source(world.app, world.settings, source_id)
    assert report.status == "not-modified" and report.done == 1
    assert [d["kind"] for d in _done(world)] == ["reach-out"]
    assert _done(world)[0]["at"] == "2026-11-25T17:00:00+00:00"


def test_feeds_that_invent_uids_are_deduplicated_by_content(world: World, server: CalendarServer) -> None:
    server.routes["/meetup.ics"] = Route(vcalendar(MEETUP.replace("m1@x", "random-1")))
    source_id = _add(world, server, "/meetup.ics")
    ical.sync_source(world.app, world.settings, source_id)
    before = world.events()
    server.routes["/meetup.ics"] = Route(vcalendar(MEETUP.replace("m1@x", "random-2")))
    assert ical.sync_source(world.app, world.settings, source_id).done == 0
    assert world.events() == before


def test_a_cancelled_event_retracts_what_it_counted(world: World, server: CalendarServer) -> None:
    server.routes["/cal.ics"] = Route(vcalendar(COFFEE))
    source_id = _add(world, server, "/cal.ics")
    ical.sync_source(world.app, world.settings, source_id)
    assert _live_kinds(world) == ["reach-out"]
    cancelled = COFFEE.replace("END:VEVENT", "STATUS:CANCELLED\r\nEND:VEVENT")
    server.routes["/cal.ics"] = Route(vcalendar(cancelled))
    assert ical.sync_source(world.app, world.settings, source_id).retracted == 1
    assert _live_kinds(world) == []


def test_recurring_series_count_each_attended_instance_once(world: World, server: CalendarServer) -> None:
    weekly = vevent(
        "series@x",
        "20261102T080000Z",
        "20261102T083000Z",
        "Coffee chat (weekly)",
        extra="RRULE:FREQ=WEEKLY;COUNT=6\r\nEXDATE:20261109T080000Z",
    )
    moved = vevent(
        "series@x",
        "20261117T120000Z",
        "20261117T123000Z",
        "Coffee chat (weekly, moved)",
        extra="RECURRENCE-ID:20261116T080000Z",
    )
    server.routes["/s.ics"] = Route(vcalendar(weekly, moved))
    source_id = _add(world, server, "/s.ics")
    ical.sync_source(world.app, world.settings, source_id)
    # Nov 2, (9 excluded), 16 moved to 17th, 23 — past; Nov 30 and Dec 7 are still to come.
    assert sorted(str(d["at"]) for d in _done(world)) == [
        "2026-11-02T08:00:00+00:00",
        "2026-11-17T12:00:00+00:00",
        "2026-11-23T08:00:00+00:00",
    ]
    server.routes["/s.ics"].etag = '"changed"'
    before = world.events()
    ical.sync_source(world.app, world.settings, source_id)
    assert world.events() == before


def test_sources_are_private_to_their_user(world: World, server: CalendarServer) -> None:
    from service.access import accounts
    from service.commands import NotFoundError

    server.routes["/cal.ics"] = Route(vcalendar(COFFEE))
    source_id = _add(world, server, "/cal.ics")
    other = accounts.add_user(world.app, "eve@example.com", "UTC").user.user_id
    assert ical.list_sources(world.app, other) == []
    for attempt in (
        lambda: ical.get_source(world.app, other, source_id),
        lambda: ical.remove_source(world.app, other, source_id),
        lambda: ical.sync_source(world.app, world.settings, source_id, other),
    ):
        try:
            attempt()
        except NotFoundError:
            continue
        raise AssertionError("another user reached the source")
    assert len(ical.list_sources(world.app, world.user_id)) == 1


def test_due_sources_are_polled_every_interval(world: World, server: CalendarServer) -> None:
    server.routes["/cal.ics"] = Route(vcalendar(COFFEE), etag='"e"')
    _add(world, server, "/cal.ics")
    # The workers' task out of its time (Celery's threads pool sets no limit: the task stops itself
    # between reads) reads nothing more: the source stays due for the next round.
    assert ical.sync_due_sources(world.app, world.settings, budget_seconds=-1) == []
    assert [r.status for r in ical.sync_due_sources(world.app, world.settings)] == ["ok"]
    assert ical.sync_due_sources(world.app, world.settings) == []  # not due again yet
    world.clock.advance(minutes=29)
    assert ical.sync_due_sources(world.app, world.settings) == []
    world.clock.advance(minutes=1)
    assert [r.status for r in ical.sync_due_sources(world.app, world.settings)] == ["not-modified"]


def test_two_reads_of_one_source_commit_once(world: World, server: CalendarServer) -> None:
    """Compare-and-set on the source's version: a read that lost the race appends nothing."""
    from integrations.ical.fetch import Fetched, Fetcher

    server.routes["/cal.ics"] = Route(vcalendar(COFFEE, MEETUP))
    source_id = _add(world, server, "/cal.ics")
    plain = Fetcher(allow_private=True, timeout=2)

    class Racing(Fetcher):
        def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
            fetched = plain.fetch(url, etag, last_modified)
            # Another worker reads the same source and commits while this read is still deciding.
            assert ical.sync_source(world.app, world.settings, source_id, fetcher=plain).status == "ok"
            return fetched

    before = world.events()
    lost = ical.sync_source(world.app, world.settings, source_id, fetcher=Racing(allow_private=True))
    assert lost.status == "conflict" and lost.done == 0
    assert world.events() == before + 2  # the winner's two actions, once
    assert ical.get_source(world.app, world.user_id, source_id).actions_derived == 2


def test_a_crash_between_the_writes_of_a_read_counts_nothing_twice(
    world: World, server: CalendarServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read's actions and the occurrences that remember them commit together: a read that
    fails after its first write leaves neither, so the next read counts the meeting once — even
    from a feed that invents a new UID on every fetch, where only a saved occurrence (its
    fingerprint) tells the meeting again. Were the occurrences written in a second transaction,
    the crash would keep the action and lose the occurrence, and the next read would count it
    again under its new UID."""
    from integrations.storage import ical_store

    server.routes["/meetup.ics"] = Route(vcalendar(MEETUP.replace("m1@x", "random-1")))
    source_id = _add(world, server, "/meetup.ics")
    before = world.events()

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the worker died between two writes")

    with monkeypatch.context() as patched:
        patched.setattr(ical_store, "save", crash)  # the occurrences' write, after the source's
        with pytest.raises(RuntimeError, match="died"):
            ical.sync_source(world.app, world.settings, source_id)
    assert world.events() == before and _done(world) == []
    for uid in ("random-2", "random-3"):
        server.routes["/meetup.ics"] = Route(vcalendar(MEETUP.replace("m1@x", uid)))
        world.clock.advance(minutes=30)
        assert ical.sync_source(world.app, world.settings, source_id).status == "ok"
    assert [d["kind"] for d in _done(world)] == ["attend-event"]
