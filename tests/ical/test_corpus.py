"""The source reader on every real-world calendar the installed icalendar and recurring-ical-events
packages ship: none raises anything but our SourceError; and 32 chosen ones give exactly the count
of attended instances worked out by hand from the file (the reasoning is in each case's comment)."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.calendars.attendance import ATTENDED
from domain.calendars.ical_attendance import source_attendance
from integrations.ical.source_reader import SourceError, read_calendar
from tests.ical.corpus import corpus_file, corpus_files

LATER = datetime(2100, 1, 1, tzinfo=UTC)  # everything has ended: attended = counted


def _read(path: str, package: str, start: str, end: str, emails: tuple[str, ...] = ()) -> list[object]:
    body = corpus_file(package, path).read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # icalendar warns about vendor-prefixed TZIDs it resolves
        return list(
            read_calendar(
                body,
                source_id="corpus",
                emails=emails,
                start=datetime.fromisoformat(start).replace(tzinfo=UTC),
                end=datetime.fromisoformat(end).replace(tzinfo=UTC),
                tz=ZoneInfo("UTC"),
            ).events
        )


def test_the_corpus_is_there() -> None:
    assert len(corpus_files()) >= 200


def test_every_corpus_file_is_read_or_refused_with_a_clear_error() -> None:
    refused: list[str] = []
    for path in corpus_files():
        body = path.read_bytes()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                read_calendar(
                    body,
                    source_id="corpus",
                    emails=("me@example.com",),
                    start=datetime(2010, 1, 1, tzinfo=UTC),
                    end=datetime(2027, 1, 1, tzinfo=UTC),
                    tz=ZoneInfo("Europe/Berlin"),
                )
            except SourceError as exc:
                refused.append(str(exc))
    # Bare VEVENT snippets and the deliberately broken files are refused; real calendars are read.
    assert all(refused)
    assert 0 < len(refused) < len(corpus_files()) / 2


# (file, package, window start, window end, my addresses, trust every past event, attended by hand)
CASES = [
    # WEEKLY;COUNT=8 from 2019-03-04, EXDATE of the 2nd: 7.
    ("each_week_but_one_deleted.ics", "recurring", "2019-01-01", "2020-01-01", (), True, 7),
    # The same with two EXDATEs: 6.
    ("each_week_but_two_deleted.ics", "recurring", "2019-01-01", "2020-01-01", (), True, 6),
    # DAILY;COUNT=10: 10.
    ("event_10_times.ics", "recurring", "2020-01-01", "2021-01-01", (), True, 10),
    # DAILY;COUNT=3 with the 2nd instance overridden as STATUS:CANCELLED: 2.
    ("issue_18_cancel_status.ics", "recurring", "2020-01-01", "2020-03-01", (), True, 2),
    # One timed event: 1.
    ("one_event.ics", "recurring", "2019-01-01", "2020-01-01", (), True, 1),
    # One all-day event: 1.
    ("one_day_event.ics", "recurring", "2019-01-01", "2020-01-01", (), True, 1),
    # All-day, DAILY forever from 2019-03-04; March 4..31 overlap [Mar 1, Apr 1): 28.
    ("one_day_event_repeat_every_day.ics", "recurring", "2019-03-01", "2019-04-01", (), True, 28),
    # DAILY;INTERVAL=3 from 2019-03-04: 4, 7, ..., 31 March: 10.
    ("one_event_repeat_every_3_days.ics", "recurring", "2019-03-01", "2019-04-01", (), True, 10),
    # WEEKLY on Thursdays 2019-08-01 until 2019-10-23: 5 in Aug, 4 in Sep, 3 in Oct: 12.
    ("issue_4_rrule_until.ics", "recurring", "2019-01-01", "2020-01-01", (), True, 12),
    # WEEKLY Fridays from 2019-08-23 UNTIL 2019-08-30 (inclusive): 2.
    ("issue_4_weidenrinde.ics", "recurring", "2019-01-01", "2020-01-01", (), True, 2),
    # One all-day event with X-WR-TIMEZONE: 1.
    ("issue_44_double_event.ics", "recurring", "2020-01-01", "2021-01-01", (), True, 1),
    # One floating event placed by X-WR-TIMEZONE: 1.
    (
        "issue_86_x_wr_timezone_without_time_zone_in_dt.ics",
        "recurring",
        "2021-01-01",
        "2022-01-01",
        (),
        True,
        1,
    ),
    # Daily 2014-08-03 19:00Z until 2016-03-20 03:00Z: 595 days, one EXDATE (its RDATE is in
    # the series already): 594.
    ("rdate2.ics", "recurring", "2014-01-01", "2017-01-01", (), True, 594),
    # YEARLY all-day since 1997-11-02: 2000..2009: 10.
    ("issue_179_example.ics", "recurring", "2000-01-01", "2010-01-01", (), True, 10),
    # DAILY floating from 2015-09-01 08:00: Sep 1..10: 10.
    (
        "issue_243_recurrence_id_is_not_identical_to_dtstart.ics",
        "recurring",
        "2015-09-01",
        "2015-09-11",
        (),
        True,
        10,
    ),
    # WEEKLY Mondays from 2020-09-21: Sep 21, 28, Oct 5, 12, 19, 26: 6.
    ("issue_48_daylight_aware_repeats.ics", "recurring", "2020-09-01", "2020-11-01", (), True, 6),
    # Last Friday monthly from 2021-11-26; the Dec 31 one moved to Dec 17; then Jan 28: 3.
    ("issue_62_moved_event.ics", "recurring", "2021-11-01", "2022-02-01", (), True, 3),
    # Every other Monday Jul 1-29 2024 (1, 15, 29), EXDATE 15, RDATE 17: 3.
    ("issue_148_exdate_and_rdate_unedited.ics", "recurring", "2024-06-01", "2024-09-01", (), True, 3),
    # WEEKLY Thursdays COUNT=20 plus 2nd Mondays COUNT=2 (Feb 13, Mar 13): 22.
    ("multiple_rrule.ics", "recurring", "2023-01-01", "2024-01-01", (), True, 22),
    # The same RRULE twice is one series of 20.
    ("duplicated_rrule.ics", "recurring", "2023-01-01", "2024-01-01", (), True, 20),
    # One all-day start with a timed end: 1.
    ("issue_201_mixed_datetime_and_date.ics", "recurring", "2023-01-01", "2024-01-01", (), True, 1),
    # YEARLY Aug 1 from 2014, the 2014 one moved, 2016 excluded: 2014, 15, 17, 18, 19: 5.
    ("issue_151_macos_linux_difference.ics", "recurring", "2014-01-01", "2020-01-01", (), True, 5),
    # End before start is still one event: 1.
    ("end_before_start_event.ics", "recurring", "2019-01-01", "2020-01-01", (), True, 1),
    # DTSTART plus an RDATE PERIOD the next day: 2.
    ("issue_113_period_rdate_duration.ics", "recurring", "2024-01-01", "2025-01-01", (), True, 2),
    # Windows zone "Pacific Standard Time": Thursdays 2023-01-05 until 2023-06-08 17:00Z
    # (Jun 8 10:00 PDT is exactly UNTIL, included): 4+4+5+4+4+2 = 23.
    ("issue_107_omitting_last_event.ics", "recurring", "2023-01-01", "2024-01-01", (), True, 23),
    # All-day Thursdays from 2019-01-24, in Jan-Mar 10 Thursdays, 4 of them excluded: 6.
    ("issue_4.ics", "recurring", "2019-01-01", "2019-04-01", (), True, 6),
    # Three events without UID at the same time, told apart by content: 3.
    ("issue_15_duplicated_events.ics", "recurring", "2013-01-01", "2014-01-01", (), True, 3),
    # Two events (two UIDs): 2.
    ("issue_223_one_event_with_sequence.ics", "recurring", "2019-01-01", "2020-01-01", (), True, 2),
    # DTSTART and 12 RDATEs, the first equal to DTSTART: 12.
    ("rdate_hackerpublicradio.ics", "recurring", "2013-01-01", "2015-01-01", (), True, 12),
    # The attendance rule, not trust: the user is the ORGANIZER (their attendee rows say
    # NEEDS-ACTION, not declined): 1; for somebody else: 0.
    ("subcomponents.ics", "recurring", "2019-01-01", "2020-01-01", ("redacted@example.com",), False, 1),
    ("subcomponents.ics", "recurring", "2019-01-01", "2020-01-01", ("nobody@example.com",), False, 0),
    # Three events in January 2018 (an all-day one of P3D, one of PT3H, one with no end): 3.
    ("duration.ics", "recurring", "2018-01-01", "2018-02-01", (), True, 3),
]


@pytest.mark.parametrize(("name", "package", "start", "end", "emails", "trust", "expected"), CASES)
def test_hand_counted_calendars(
    name: str, package: str, start: str, end: str, emails: tuple[str, ...], trust: bool, expected: int
) -> None:
    events = _read(name, package, start, end, emails)
    attended = [e for e in events if source_attendance(e, LATER, trust) == ATTENDED]  # type: ignore[arg-type]
    assert len(attended) == expected


def test_at_least_thirty_hand_counted_files() -> None:
    assert len({case[0] for case in CASES}) >= 30
