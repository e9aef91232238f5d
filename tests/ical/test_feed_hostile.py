"""The feed stays up and reads alike whatever people and calendars put in it: an action across the
autumn fall-back, titles with line breaks and control characters, names with commas; it is served
gzip-compressed when asked; its Last-Modified follows its bytes."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import vobject
from fastapi.testclient import TestClient
from icalendar import Calendar

from api.app import create_app
from domain.decisions import ContactSpec, GoalSpec
from service import ical
from service.access import accounts
from service.app import App
from service.people import contacts
from service.settings import Settings
from service.tracking import actions, goals
from tests.ical.conftest import Clock

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")
HOSTILE = "Coffee, tea; and\nmore\x0bvt\x1besc\u2028ls\x00nul\ttab"


class Feeds:
    def __init__(self, client: TestClient, app: App, settings: Settings, clock: Clock, user_id: str) -> None:
        self.client, self.app, self.settings, self.clock, self.user_id = client, app, settings, clock, user_id

    def path(self, goal_id: str | None = None) -> str:
        return "/" + ical.feed_links(self.app, self.settings, self.user_id, goal_id).https.split("/", 3)[3]


@pytest.fixture
def feeds(tmp_path: Path) -> Iterator[Feeds]:
    clock = Clock(NOW)
    settings = Settings(
        home=tmp_path, database_url=f"sqlite:///{tmp_path / 'netgoals.db'}", secret_key="a test passphrase"
    )
    web = create_app(settings, clock)
    app: App = web.state.netgoals
    user_id = accounts.add_user(app, "nyc@example.com", "America/New_York").user.user_id
    with TestClient(web) as client:
        yield Feeds(client, app, settings, clock, user_id)
    app.close()


def _parse(body: bytes) -> Calendar:
    calendar = Calendar.from_ical(body)
    assert isinstance(calendar, Calendar)
    return calendar


def test_an_action_across_the_fall_back_hour_is_served_as_utc_instants(feeds: Feeds) -> None:
    goals.set_goal(feeds.app, feeds.user_id, GoalSpec(template="monthly-event"))
    # 01:30 on the night New York falls back: the half hour after it ends at 01:00 local time.
    at = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK)
    actions.log_action(feeds.app, feeds.user_id, "attend-event", at, title="Late meetup")
    response = feeds.client.get(feeds.path())
    assert response.status_code == 200, response.text
    (item,) = [e for e in _parse(response.content).walk("VEVENT") if "Late meetup" in str(e["SUMMARY"])]
    assert item["DTSTART"].dt == at.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert item["DTEND"].dt - item["DTSTART"].dt == timedelta(minutes=30)
    assert b"DTSTART:20261101T053000Z" in response.content


def test_hostile_titles_never_break_a_feed_and_names_keep_their_commas(feeds: Feeds) -> None:
    goal = goals.set_goal(
        feeds.app, feeds.user_id, GoalSpec(title=HOSTILE, action="reach-out", target=1, frame="week")
    ).goal_id
    ada = contacts.add_contact(feeds.app, feeds.user_id, ContactSpec(name="Ada"))
    actions.log_action(
        feeds.app, feeds.user_id, "reach-out", NOW - timedelta(hours=2), title=HOSTILE, contact_ids=(ada,)
    )
    for path in (feeds.path(), feeds.path(goal)):
        response = feeds.client.get(path)
        assert response.status_code == 200, response.text
        body = response.content
        for forbidden in (b"\x0b", b"\x1b", b"\x00", b"\t", "\u2028".encode()):
            assert forbidden not in body
        calendar = _parse(body)
        summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
        assert "✓ Coffee, tea; and more vtesc lsnul tab" in summaries
        parsed = vobject.readOne(body.decode())
        names = {v.summary.value for v in parsed.contents["vevent"]}
        assert "✓ Coffee, tea; and more vtesc lsnul tab" in names
    goal_feed = vobject.readOne(feeds.client.get(feeds.path(goal)).content.decode())
    assert goal_feed.contents["x-wr-calname"][0].value == "Networking: Coffee, tea; and more vtesc lsnul tab"


def test_the_feed_is_gzipped_when_asked_with_its_own_etag(feeds: Feeds) -> None:
    goals.set_goal(feeds.app, feeds.user_id, GoalSpec(template="weekly-outreach"))
    path = feeds.path()
    plain = feeds.client.get(path, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.headers["vary"] == "Accept-Encoding"
    # httpx decodes transparently; read the raw stream to see what went over the wire.
    with feeds.client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as packed:
        raw = b"".join(packed.iter_raw())
        assert packed.headers["content-encoding"] == "gzip"
        etag = packed.headers["etag"]
    assert gzip.decompress(raw) == plain.content and len(raw) < len(plain.content) / 3
    assert etag != plain.headers["etag"]
    refused = feeds.client.get(path, headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers
    again = feeds.client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304


def test_last_modified_follows_the_bytes(feeds: Feeds) -> None:
    goals.set_goal(feeds.app, feeds.user_id, GoalSpec(template="monthly-event"))
    path = feeds.path()
    first = feeds.client.get(path)
    # A contact changes the profile stream but nothing in the feed; a new hour moves nothing.
    feeds.clock.advance(hours=1)
    contacts.add_contact(feeds.app, feeds.user_id, ContactSpec(name="Grace"))
    same = feeds.client.get(path)
    assert same.content == first.content
    assert same.headers["last-modified"] == first.headers["last-modified"]
    # An action changes the bytes: Last-Modified is when that was first served.
    feeds.clock.advance(hours=1)
    actions.log_action(feeds.app, feeds.user_id, "attend-event", NOW, title="Meetup")
    changed = feeds.client.get(path)
    assert changed.content != first.content
    assert changed.headers["last-modified"] == "Mon, 02 Nov 2026 17:00:00 GMT"
    since = {"If-Modified-Since": first.headers["last-modified"]}
    assert feeds.client.get(path, headers=since).status_code == 200


def test_an_item_that_cannot_be_written_is_left_out_alone() -> None:
    from datetime import date

    from domain.calendars.feed import FeedItem
    from integrations.ical.feed_writer import FeedHeader, render_feed

    def item(uid: str, start: datetime | date, end: datetime | date) -> FeedItem:
        return FeedItem(uid, uid, start, end, "CONFIRMED", 0, NOW, (), "", False)

    body = render_feed(
        FeedHeader("Networking", "UTC", timedelta(hours=1)),
        [
            item("mixed@netgoals", NOW, date(2026, 11, 3)),
            item("fine@netgoals", NOW, NOW + timedelta(hours=1)),
        ],
    )
    assert [str(e["UID"]) for e in _parse(body).walk("VEVENT")] == ["fine@netgoals"]
