"""What netgoals writes into a CalDAV calendar, read back by an independent client: vdirsyncer
(its caldav storage, the way a person syncs a calendar to their laptop) copies the calendar from
Radicale into a folder, and khal lists it in the person's zone.

Needs the `vdirsyncer` and `khal` commands of the test extra: skipped with the reason when they are
missing, failed instead under NETGOALS_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from domain.calendars.calendar_port import Block, WriteOutcome
from tests.caldav.conftest import new_calendar, require
from tests.caldav.people import CaldavPerson, goal
from tests.caldav.servers import Server
from tests.caldav.test_contract import caldav_provider
from tests.caldav.user_client import local
from tests.readback import BIN, khal_config, run

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # a Saturday


def _configs(tmp: Path, server: Server, calendar_url: str) -> tuple[Path, Path]:
    folder = tmp / "calendars" / "netgoals"
    folder.mkdir(parents=True)
    (tmp / "status").mkdir()
    vdir = tmp / "vdirsyncer.conf"
    vdir.write_text(
        f"""[general]
status_path = "{tmp / "status"}/"

[pair goals]
a = "server"
b = "folder"
collections = null

[storage server]
type = "caldav"
url = "{calendar_url}"
username = "{server.username}"
password = "{server.password}"

[storage folder]
type = "filesystem"
path = "{folder}/"
fileext = ".ics"
"""
    )
    khal = khal_config(tmp, "netgoals", folder)
    return vdir, khal


def _block(title: str, start_hour: int, day: int, month: int = 10) -> Block:
    action = str(uuid.uuid4())
    start = local(2026, month, day, start_hour)
    return Block(
        uid=f"netgoals-{action}",
        action_id=action,
        goal_id="goal-1",
        title=title,
        description="Planned by netgoals; a comma, a semicolon; and\na second line",
        start=start,
        end=start + timedelta(minutes=45),
        time_zone="Europe/Berlin",
    )


def test_vdirsyncer_and_khal_read_back_the_blocks_netgoals_wrote(
    tmp_path: Path, radicale_server: Server
) -> None:
    for tool in ("vdirsyncer", "khal"):
        if not (BIN / tool).exists():
            require(f"{tool} is not installed (pip install '.[test]')")
    user = new_calendar(radicale_server, "goals-readback")
    provider = caldav_provider(radicale_server)
    blocks = [
        _block("Networking: coffee with Bo", 9, 24),  # the last Saturday of summer time
        _block("✓ Networking: meetup, Café Zürich", 9, 26),  # the Monday after it ended
        _block("Networking: follow up", 18, 2, month=11),
    ]
    for planned in blocks:
        assert provider.put_block(user.calendar_url, planned, None).outcome is WriteOutcome.WRITTEN
    user.close()

    vdir, khal = _configs(tmp_path, radicale_server, user.calendar_url)
    run(BIN / "vdirsyncer", "-c", vdir, "discover", cwd=tmp_path)
    run(BIN / "vdirsyncer", "-c", vdir, "sync", cwd=tmp_path)

    copied = sorted((tmp_path / "calendars" / "netgoals").glob("*.ics"))
    assert len(copied) == len(blocks)
    uids = set()
    for path in copied:  # each file a calendar a strict parser reads, with its VTIMEZONE
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        (item,) = calendar.walk("VEVENT")
        uids.add(str(item["UID"]))
        assert calendar.walk("VTIMEZONE"), path.read_text()
    assert uids == {b.uid for b in blocks}

    listed = run(
        BIN / "khal",
        "-c",
        khal,
        "list",
        "--format",
        "{start} {end-time} {title}",
        "--day-format",
        "",
        "2026-10-01",
        "2026-12-01",
        cwd=tmp_path,
    )
    lines = sorted(line.strip() for line in listed.splitlines() if line.strip())
    assert lines == [
        "2026-10-24 09:00 09:45 Networking: coffee with Bo",
        "2026-10-26 09:00 09:45 ✓ Networking: meetup, Café Zürich",
        "2026-11-02 18:00 18:45 Networking: follow up",
    ]


def test_vdirsyncer_and_khal_read_back_the_blocks_a_sync_planned(
    tmp_path: Path, radicale_server: Server
) -> None:
    """What the planner and the push wrote (times from the outbox rows, in the person's zone)."""
    for tool in ("vdirsyncer", "khal"):
        if not (BIN / tool).exists():
            require(f"{tool} is not installed (pip install '.[test]')")
    events = new_calendar(radicale_server, f"events-{uuid.uuid4().hex[:8]}")
    goals_url = events.use("").make_calendar(f"goals-{uuid.uuid4().hex[:8]}")
    (tmp_path / "netgoals").mkdir()
    person = CaldavPerson(radicale_server, tmp_path / "netgoals", NOW, events, goals_url)
    try:
        goal(person.app, person.user_id, "weekly-outreach")
        person.connect()
        report = person.sync()
        assert report.error is None and report.pushed >= 8, report
        planned = person.blocks()
    finally:
        person.close()
        events.close()

    (tmp_path / "khal").mkdir()
    vdir, khal = _configs(tmp_path / "khal", radicale_server, goals_url)
    run(BIN / "vdirsyncer", "-c", vdir, "discover", cwd=tmp_path)
    run(BIN / "vdirsyncer", "-c", vdir, "sync", cwd=tmp_path)
    listed = run(
        BIN / "khal",
        "-c",
        khal,
        "list",
        "--format",
        "{start} {title}",
        "--day-format",
        "",
        "2026-11-01",
        "2027-04-01",
        cwd=tmp_path,
    )
    lines = sorted(line.strip() for line in listed.splitlines() if line.strip())
    berlin = ZoneInfo("Europe/Berlin")
    assert lines == sorted(f"{b.start.astimezone(berlin):%Y-%m-%d %H:%M} {b.summary}" for b in planned)
