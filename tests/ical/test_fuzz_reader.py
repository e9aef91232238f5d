"""Hypothesis on mutated real-world calendars (and on a calendar whose events do count): the
reader never raises anything but SourceError, and a read through the service either stores an
error and appends nothing, or appends exactly what its report says — never part of a read."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from uuid import uuid4
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.decisions import GoalSpec
from integrations.ical.source_reader import SourceError, read_calendar
from service import ical
from service.access import accounts
from service.tracking import goals
from tests.ical.conftest import World
from tests.ical.corpus import corpus_files
from tests.ical.ics import vcalendar, vevent

_SMALL = [p.read_bytes() for p in corpus_files() if p.stat().st_size < 6000]
_COUNTING = vcalendar(
    vevent("c1@x", "20261120T090000Z", "20261120T093000Z", "Coffee chat with Bo"),
    vevent(
        "m1@x",
        "20261118T170000Z",
        "20261118T190000Z",
        "Python Meetup Berlin",
        extra="RRULE:FREQ=DAILY;COUNT=3",
    ),
    vevent("m2@x", "20261101T170000Z", "20261101T190000Z", "Networking mixer", extra="STATUS:CANCELLED"),
)
SOURCES = [_COUNTING, *_SMALL]

_mutation = st.one_of(
    st.tuples(st.just("delete-line"), st.integers(0, 400)),
    st.tuples(st.just("duplicate-line"), st.integers(0, 400)),
    st.tuples(st.just("swap-lines"), st.integers(0, 400), st.integers(0, 400)),
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("flip-byte"), st.floats(0, 1), st.integers(0, 255)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(max_size=20)),
    st.tuples(st.just("value"), st.integers(0, 400), st.text(max_size=30)),
)


def _mutate(body: bytes, mutations: list[tuple[object, ...]]) -> bytes:
    for mutation in mutations:
        lines = body.split(b"\n")
        kind = mutation[0]
        if kind == "delete-line" and lines:
            del lines[int(mutation[1]) % len(lines)]  # type: ignore[call-overload]
        elif kind == "duplicate-line" and lines:
            i = int(mutation[1]) % len(lines)  # type: ignore[call-overload]
            lines.insert(i, lines[i])
        elif kind == "swap-lines" and lines:
            i, j = (int(m) % len(lines) for m in mutation[1:])  # type: ignore[call-overload]
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "value" and lines:
            i = int(mutation[1]) % len(lines)  # type: ignore[call-overload]
            name = lines[i].partition(b":")[0]
            lines[i] = name + b":" + str(mutation[2]).encode("utf-8", "surrogatepass")
        body = b"\n".join(lines)
        at = int(float(mutation[1]) * len(body)) if kind in ("truncate", "flip-byte", "insert") else 0  # type: ignore[arg-type]
        if kind == "truncate":
            body = body[:at]
        elif kind == "flip-byte" and body:
            at = min(at, len(body) - 1)
            body = body[:at] + bytes([int(mutation[2])]) + body[at + 1 :]  # type: ignore[call-overload]
        elif kind == "insert":
            body = body[:at] + bytes(mutation[2]) + body[at:]  # type: ignore[call-overload]
    return body


# Half the time the calendar whose events count, so reads that do append are fuzzed too.
_source = st.one_of(st.just(_COUNTING), st.sampled_from(SOURCES))
calendars = st.builds(_mutate, _source, st.lists(_mutation, min_size=1, max_size=4))


@settings(max_examples=100, deadline=None)
@given(calendars)
def test_the_reader_raises_nothing_but_source_error(body: bytes) -> None:
    message = "read"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            read_calendar(
                body,
                source_id="fuzz",
                emails=("ada@example.com",),
                start=datetime(2018, 1, 1, tzinfo=UTC),
                end=datetime(2027, 1, 1, tzinfo=UTC),
                tz=ZoneInfo("Europe/Berlin"),
            )
        except SourceError as exc:
            message = str(exc)
    assert message


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calendars)
def test_a_read_appends_all_it_reports_or_nothing(world: World, body: bytes) -> None:
    # A new user each time, so nothing an earlier example counted can hide a partial append.
    user_id = accounts.add_user(world.app, f"{uuid4().hex}@example.com", "Europe/Berlin").user.user_id
    goals.set_goal(world.app, user_id, GoalSpec(template="monthly-event"))
    goals.set_goal(
        world.app, user_id, GoalSpec(title="Coffee chats", action="reach-out", target=1, frame="week")
    )
    added = ical.add_file_source(world.app, user_id, "fuzz.ics", body, trust_all=True)
    before = world.events()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = ical.read_file_source(world.app, world.settings, added.source_id, user_id, body)
    stored = ical.get_source(world.app, user_id, added.source_id)
    if report.status == "error":
        assert report.error and stored.last_error == report.error
        assert world.events() == before
    else:
        assert report.status == "ok" and stored.last_error is None
        assert world.events() - before == report.done + report.retracted
        assert stored.actions_derived == report.done
        before = world.events()
        again = ical.read_file_source(world.app, world.settings, added.source_id, user_id, body)
        assert world.events() == before
        assert again.done == again.retracted == 0
