"""The feed the way subscribers see it: over real HTTP handling (FastAPI's app), parsed by
icalendar and by an independent parser (vobject); the same state is the same bytes; ETag and
Last-Modified give 304s; a change shows at the next request; tokens are private and rotate."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import vobject
from icalendar import Calendar, vDuration

from domain.event_types import events as ev
from domain.event_types.events import Event
from service import ical
from service.access import accounts
from service.app import App
from service.tracking import actions, confirmation
from tests.ical.conftest import NOW, Site


def _calendar(body: bytes) -> Calendar:
    parsed = Calendar.from_ical(body)
    assert isinstance(parsed, Calendar)
    return parsed


def _by_summary(calendar: Calendar) -> dict[str, object]:
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_as_icalendar_reads_it(site: Site) -> None:
    response = site.client.get(site.feed_path())
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = _calendar(response.content)
    assert "UID" not in calendar  # a calendar-level UID makes vdirsyncer collapse the feed
    assert calendar.walk("VTODO") == []
    assert str(calendar["X-WR-CALNAME"]) == "Networking goals (ada@example.com)"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Berlin"
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert vDuration.from_ical(calendar["X-PUBLISHED-TTL"].to_ical().decode()) == timedelta(hours=1)
    assert calendar.walk("VTIMEZONE") == []  # instants in UTC: every parser reads them alike
    events = _by_summary(calendar)
    done = events["✓ Coffee chat with Ada"]
    assert done["DTSTART"].dt == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # type: ignore[index]
    assert "TZID" not in done["DTSTART"].params  # type: ignore[index]
    assert b"DTSTART:20261125T100000Z" in response.content
    assert done["DTSTAMP"].dt == done["LAST-MODIFIED"].dt == NOW  # type: ignore[index]  # from the log
    assert str(done["STATUS"]) == "CONFIRMED"  # type: ignore[index]
    assert done["CATEGORIES"].cats == ["Networking", "Reach out", "done"]  # type: ignore[index]
    description = str(done["DESCRIPTION"])  # type: ignore[index]
    assert "Goal: Reach out to one new contact per week" in description
    assert "Why: Move into a product role" in description
    assert "Progress: 1 of 1 this week" in description
    assert "Dashboard: http://127.0.0.1:8000/" in description
    week = events["✓ Reach out to one new contact — week 48"]
    assert week["DTSTART"].dt == date(2026, 11, 23) and week["DTEND"].dt == date(2026, 11, 30)  # type: ignore[index]
    assert str(week["TRANSP"]) == "TRANSPARENT"  # type: ignore[index]
    assert "Reach out to one new contact — week 49" in events  # coming weeks are planned
    assert "Attend one networking event — November 2026" in events
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert len(uids) == len(set(uids))


def test_an_independent_parser_reads_the_same_events(site: Site) -> None:
    body = site.client.get(site.feed_path()).content
    parsed = vobject.readOne(body.decode())
    vevents = parsed.contents["vevent"]
    assert len(vevents) == len(_calendar(body).walk("VEVENT"))
    summaries = {v.summary.value for v in vevents}
    assert "✓ Coffee chat with Ada" in summaries
    coffee = next(v for v in vevents if v.summary.value == "✓ Coffee chat with Ada")
    assert coffee.dtstart.value == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert coffee.sequence.value == "0"
    assert all(v.uid.value.endswith("@netgoals") for v in vevents)
    assert parsed.contents["x-wr-timezone"][0].value == "Europe/Berlin"


def test_the_same_state_renders_the_same_bytes(site: Site) -> None:
    first = ical.render_user_feed(site.app, site.settings, site.user_id)
    site.clock.advance(hours=3)  # the same local day: nothing about the feed changed
    second = ical.render_user_feed(site.app, site.settings, site.user_id)
    time.sleep(1.1)  # a later wall-clock second too: nothing may stamp "now" into the bytes
    again = App(site.app.engine, site.clock)  # another process, no cache
    third = ical.render_user_feed(again, site.settings, site.user_id)
    assert first.body == second.body == third.body
    assert first.etag == third.etag


def test_sequence_rises_with_every_change_and_skipped_is_cancelled(site: Site) -> None:
    action_id = "0000aaaa-0000-4000-8000-000000000001"
    start = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

    def event(type_: str, **data: object) -> None:
        site.app.append_actions(
            site.user_id, [Event(type_, {"action_id": action_id, "at": NOW.isoformat(), **data})]
        )

    def block() -> object:
        body = ical.render_user_feed(site.app, site.settings, site.user_id).body
        found = [e for e in _calendar(body).walk("VEVENT") if str(e["UID"]) == f"{action_id}@netgoals"]
        assert len(found) == 1
        return found[0]

    event(
        ev.ACTION_PLANNED,
        goal_id=site.goal_id,
        kind="reach-out",
        start=start.isoformat(),
        end=(start + timedelta(minutes=15)).isoformat(),
        title="Networking: Reach out",
    )
    planned = block()
    assert (str(planned["SUMMARY"]), planned["SEQUENCE"], str(planned["STATUS"])) == (  # type: ignore[index]
        "Networking: Reach out",
        0,
        "CONFIRMED",
    )
    assert str(planned["TRANSP"]) == "OPAQUE"  # type: ignore[index]
    later = start + timedelta(hours=2)
    site.clock.advance(minutes=5)
    event(ev.ACTION_RESCHEDULED, start=later.isoformat(), end=(later + timedelta(minutes=15)).isoformat())
    moved = block()
    assert moved["SEQUENCE"] == 1 and moved["DTSTART"].dt == later  # type: ignore[index]
    assert moved["LAST-MODIFIED"].dt == NOW + timedelta(minutes=5)  # type: ignore[index]
    event(ev.ACTION_SKIPPED, reason="busy", by="user")
    skipped = block()
    assert skipped["SEQUENCE"] == 2 and str(skipped["STATUS"]) == "CANCELLED"  # type: ignore[index]
    assert str(skipped["SUMMARY"]) == "Skipped: Networking: Reach out"  # type: ignore[index]


def test_conditional_requests_answer_304_and_head_has_no_body(site: Site) -> None:
    path = site.feed_path()
    full = site.client.get(path, headers={"Accept-Encoding": "identity"})
    etag, modified = full.headers["etag"], full.headers["last-modified"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    assert site.client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert site.client.get(path, headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert site.client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    stale = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert site.client.get(path, headers={"If-Modified-Since": stale}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
    assert (
        site.client.get(path, headers={"If-None-Match": '"x"', "If-Modified-Since": modified}).status_code
        == 200
    )
    head = site.client.head(path, headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(full.content)) and head.headers["etag"] == etag
    assert site.client.head(path, headers={"If-None-Match": etag}).status_code == 304


def test_a_change_shows_at_the_next_request(site: Site) -> None:
    path = site.feed_path()
    first = site.client.get(path)
    site.clock.advance(minutes=1)
    actions.log_action(
        site.app, site.user_id, "attend-event", NOW - timedelta(days=2), title="Climate Tech Meetup"
    )
    second = site.client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200
    assert second.headers["etag"] != first.headers["etag"]
    assert "✓ Climate Tech Meetup" in _by_summary(_calendar(second.content))
    assert second.headers["last-modified"] == "Wed, 25 Nov 2026 11:01:00 GMT"


def test_unknown_and_rotated_tokens_are_404(site: Site) -> None:
    old = site.feed_path()
    assert site.client.get(old).status_code == 200
    assert site.client.get("/feeds/" + "A" * 43 + ".ics").status_code == 404
    assert site.client.get("/feeds/x.ics").status_code == 404
    links = ical.rotate_feed(site.app, site.settings, site.user_id)
    assert site.client.get(old).status_code == 404
    new = "/" + links.https.split("/", 3)[3]
    assert new != old and site.client.get(new).status_code == 200
    assert site.feed_path() == new  # shown again, not rotated again


def test_tokens_are_long_random_and_a_database_copy_does_not_reveal_them(site: Site, tmp_path: Path) -> None:
    path = site.feed_path()
    token = path.removeprefix("/feeds/").removesuffix(".ics")
    assert len(token) >= 43  # 256 bits, url-safe base64
    site.app.engine.dispose()
    database = b"".join(p.read_bytes() for p in tmp_path.glob("netgoals.db*"))
    assert token.encode() not in database
    assert b"ical_feed_tokens" in database


def test_a_goal_feed_holds_only_that_goal(site: Site) -> None:
    body = site.client.get(site.feed_path(site.goal_id)).content
    summaries = set(_by_summary(_calendar(body)))
    assert "✓ Coffee chat with Ada" in summaries
    assert not any("Attend one networking event" in s for s in summaries)
    assert str(_calendar(body)["X-WR-CALNAME"]) == "Networking: Reach out to one new contact per week"


def test_feed_links_over_the_api_are_the_callers_own(site: Site) -> None:
    other = accounts.add_user(site.app, "eve@example.com", "UTC")
    mine = site.client.get("/api/v1/feed", headers={"Authorization": f"Bearer {site.token}"}).json()
    theirs = site.client.get("/api/v1/feed", headers={"Authorization": f"Bearer {other.token}"}).json()
    assert mine["https"] != theirs["https"]
    assert mine["webcal"].startswith("webcal://") and "calendar.google.com" in mine["google"]
    assert (
        site.client.get(
            f"/api/v1/goals/{site.goal_id}/feed", headers={"Authorization": f"Bearer {other.token}"}
        ).status_code
        == 404
    )
    assert site.client.get("/api/v1/feed").status_code == 401


def test_the_feed_answers_after_the_cut_over_to_the_confirmation_rule(site: Site) -> None:
    """Issue 22, item 2: the first Google sync records `action.confirmation-adopted` (no action id);
    the feed and every per-goal feed kept answering 500 from then on."""
    appended = confirmation.sweep(site.app, site.user_id, planning=True)  # what a first sync does
    assert [e.type for e in appended] == [ev.CONFIRMATION_ADOPTED]
    for goal_id in (None, site.goal_id):
        response = site.client.get(site.feed_path(goal_id))
        assert response.status_code == 200, response.text
        assert "✓ Coffee chat with Ada" in _by_summary(_calendar(response.content))
