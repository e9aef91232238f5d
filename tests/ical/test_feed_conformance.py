"""The feed read by six real parsers — icalendar, vobject, `ics`, `ical` (Home Assistant's), Mozilla's
ical.js and node-ical — each compared, item by item and instant by instant, with what netgoals says
it planned (`service.ical.user_feed`), for people in six zones with every DST change of the year
inside the window and actions logged in the hours those changes skip or repeat."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import ics
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar
from sqlalchemy import Engine

from domain.calendars.feed import FeedItem
from domain.decisions import ContactSpec, GoalSpec
from integrations.ical.feed_writer import render_feed
from service import ical
from service.access import accounts
from service.app import App
from service.people import contacts
from service.settings import Settings
from service.tracking import actions, goals
from tests.conftest import REQUIRE_SERVICES
from tests.ical.conftest import Clock

NOW = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
ZONES = (
    "America/New_York",
    "Europe/Berlin",
    "Australia/Sydney",  # DST in the southern summer: changes in April and October
    "Asia/Kolkata",  # +05:30, no DST
    "Pacific/Chatham",  # +12:45 / +13:45
    "UTC",
)
# Punctuation every writer must escape and every reader must give back as it was.
TITLES = ("Meetup: AI, climate; & co.", "Back\\slash «quotes» — 🎉", "Coffee with Ada")
PARSERS_DIR = Path(__file__).parent / "parsers"
Reading = dict[str, tuple[str, object, object]]  # uid -> (summary, start, end)


def _dst_days(zone: ZoneInfo, year: int) -> list[date]:
    """The days on which the zone's offset changes."""
    days = []
    day = date(year, 1, 1)
    while day.year == year:
        before = datetime.combine(day, time(0), zone).utcoffset()
        after = datetime.combine(day + timedelta(days=1), time(0), zone).utcoffset()
        if before != after:
            days.append(day)
        day += timedelta(days=1)
    return days


@dataclass
class Feeds:
    files: dict[str, Path]  # zone -> the written feed
    items: dict[str, list[FeedItem]]


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Feeds]:
    from integrations.storage.database import make_engine
    from integrations.storage.migrate import upgrade

    folder = tmp_path_factory.mktemp("conformance")
    engine: Engine = make_engine(f"sqlite:///{folder / 'netgoals.db'}")
    upgrade(engine)
    clock = Clock(NOW - timedelta(days=300))
    app = App(engine, clock)
    settings = Settings(home=folder, secret_key="a test passphrase")
    files, items = {}, {}
    for n, name in enumerate(ZONES):
        zone = ZoneInfo(name)
        user_id = accounts.add_user(app, f"user{n}@example.com", name).user.user_id
        goals.set_goal(app, user_id, GoalSpec(template="monthly-event", start=date(2026, 1, 1)))
        goals.set_goal(app, user_id, GoalSpec(template="weekly-outreach", start=date(2026, 1, 1)))
        ada = contacts.add_contact(app, user_id, ContactSpec(name="Ada Lovelace"))
        moments = [datetime(2026, 10, 20, 18, 0, tzinfo=zone)]
        for day in _dst_days(zone, 2026):
            hours = ((1, 30), (2, 30), (3, 30), (23, 59))
            moments += [datetime.combine(day, time(h, m), zone) for h, m in hours]
        clock.now = NOW
        for i, at in enumerate(moments):
            kind = "attend-event" if i % 2 else "reach-out"
            ids = () if kind == "attend-event" else (ada,)
            actions.log_action(app, user_id, kind, at, title=TITLES[i % len(TITLES)], contact_ids=ids)
        feed = ical.user_feed(app, settings, user_id)
        path = folder / f"{name.replace('/', '_')}.ics"
        path.write_bytes(render_feed(feed.header, feed.items))
        files[name], items[name] = path, feed.items
    yield Feeds(files, items)
    app.close()
    engine.dispose()


def _moment(value: datetime | date) -> object:
    return int(value.timestamp()) if isinstance(value, datetime) else value.isoformat()


def _expected(items: list[FeedItem]) -> Reading:
    return {i.uid: (i.title, _moment(i.start), _moment(i.end)) for i in items}


def _icalendar(body: bytes) -> Reading:
    calendar = Calendar.from_ical(body)
    assert isinstance(calendar, Calendar)
    assert [c.errors for c in calendar.walk() if c.errors] == []  # nothing it had to skip
    return {
        str(e["UID"]): (str(e["SUMMARY"]), _moment(e["DTSTART"].dt), _moment(e["DTEND"].dt))
        for e in calendar.walk("VEVENT")
    }


def _vobject(body: bytes) -> Reading:
    parsed = vobject.readOne(body.decode())
    return {
        v.uid.value: (v.summary.value, _moment(v.dtstart.value), _moment(v.dtend.value))
        for v in parsed.contents["vevent"]
    }


def _ics(body: bytes) -> Reading:
    found: Reading = {}
    for event in ics.Calendar(body.decode()).events:
        if event.all_day:
            start, end = event.begin.date().isoformat(), event.end.date().isoformat()
            found[event.uid] = (event.name, start, end)
        else:
            found[event.uid] = (event.name, event.begin.int_timestamp, event.end.int_timestamp)
    return found


def _ha_ical(body: bytes) -> Reading:
    calendar = IcsCalendarStream.calendar_from_ics(body.decode())
    return {e.uid or "": (e.summary or "", _moment(e.dtstart), _moment(e.dtend)) for e in calendar.events}


def _javascript(files: list[Path]) -> dict[str, dict[str, Reading]]:
    """{path: {parser: reading}} from ical.js and node-ical in one Node.js process."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        reason = "Node.js and npm are needed for the JavaScript parsers"
        if REQUIRE_SERVICES:
            pytest.fail(f"NETGOALS_REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)
    if not (PARSERS_DIR / "node_modules" / "ical.js").exists():
        # The versions pinned in package-lock.json, from the npm registry.
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=PARSERS_DIR, check=True)
    done = subprocess.run(
        [node, str(PARSERS_DIR / "read.mjs"), *map(str, files)],
        capture_output=True,
        check=True,
        env={**os.environ, "TZ": "UTC"},
        timeout=120,
    )
    raw: dict[str, dict[str, list[dict[str, Any]]]] = json.loads(done.stdout)
    return {
        path: {
            parser: {e["uid"]: (e["summary"], e["start"], e["end"]) for e in events}
            for parser, events in parsers.items()
        }
        for path, parsers in raw.items()
    }


def _differences(expected: Reading, read: Reading) -> list[str]:
    lines = [f"missing {uid}" for uid in expected.keys() - read.keys()]
    lines += [f"extra {uid}" for uid in read.keys() - expected.keys()]
    lines += [f"{uid}: {read[uid]} != {w}" for uid, w in expected.items() if read.get(uid, w) != w]
    return lines


def test_six_parsers_read_every_item_at_the_instant_netgoals_planned(
    feeds: Feeds, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `ics` parses with tatsu, which calls colorama.init() on every parse when colorama is
    # installed (mkdocs-material brings it): each call wraps stdout again, until RecursionError.
    monkeypatch.setattr("tatsu.color.init", lambda: None)
    readings: dict[str, dict[str, Reading]] = {}
    for zone, path in feeds.files.items():
        body = path.read_bytes()
        readings[zone] = {
            "icalendar": _icalendar(body),
            "vobject": _vobject(body),
            "ics": _ics(body),
            "ical (Home Assistant)": _ha_ical(body),
        }
    by_path = _javascript(list(feeds.files.values()))
    for zone, path in feeds.files.items():
        readings[zone].update(by_path[str(path)])
    problems = []
    for zone, parsers in readings.items():
        expected = _expected(feeds.items[zone])
        assert len(expected) > 60  # a year of periods and the DST-night actions
        for parser, read in parsers.items():
            problems += [f"{zone} / {parser}: {line}" for line in _differences(expected, read)]
    assert len(next(iter(readings.values()))) == 6
    assert problems == []


def test_the_dst_nights_are_in_the_feeds(feeds: Feeds) -> None:
    """The comparison above covers the hours DST skips or repeats, in every zone that has them."""
    for zone in ZONES:
        tz = ZoneInfo(zone)
        nights = {
            i.start.astimezone(tz).date()
            for i in feeds.items[zone]
            if isinstance(i.start, datetime) and i.start.astimezone(tz).date() in _dst_days(tz, 2026)
        }
        assert len(nights) == len(_dst_days(tz, 2026)), zone
