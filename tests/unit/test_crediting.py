"""The one crediting rule (`domain/calendars/crediting.py`, invariant 14): whatever sequence of states an
occurrence goes through (attended, moved, cancelled, attended again, counted for other kinds),
what stays counted is exactly what is wanted now, every id is derived (a replay appends the same
events), and a retracted credit is never credited again under the same action."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from domain.calendars.crediting import credit, credit_action_id
from domain.event_types import events as ev

FACTS: dict[str, Any] = {"contact_ids": [], "title": "Climate Tech Meetup", "own": None}
KINDS = ("attend-event", "reach-out")
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
TIMES = ("2026-11-20T19:00:00+01:00", "2026-11-21T19:00:00+01:00")
wanted_states = st.dictionaries(st.sampled_from(KINDS), st.sampled_from(TIMES), max_size=2)


def _run(states: list[dict[str, str]]) -> tuple[list[Any], dict[str, list[str]]]:
    counted: dict[str, list[str]] = {}
    generation = 0
    appended: list[Any] = []
    for wanted in states:
        done = credit(
            "u1", "cal/uid/", counted, generation, FACTS, wanted, reason="gone", at=NOW, source="caldav"
        )
        appended.extend(done.events)
        counted, generation = done.counted, done.generation
        assert {k: v[1] for k, v in counted.items()} == wanted  # counted is what is wanted now
    return appended, counted


@given(st.lists(wanted_states, max_size=8))
def test_what_stays_counted_is_what_is_wanted_and_each_action_once(states: list[dict[str, str]]) -> None:
    appended, counted = _run(states)
    ids = [e.event_id for e in appended]
    assert len(ids) == len(set(ids))  # no event appended twice
    done = Counter(e.data["action_id"] for e in appended if e.type == ev.ACTION_DONE)
    retracted = Counter(e.data["action_id"] for e in appended if e.type == ev.ACTION_RETRACTED)
    assert all(n == 1 for n in done.values())  # an action is credited once, never again
    assert all(retracted[a] <= 1 for a in done)
    standing = {a for a in done if not retracted[a]}
    assert standing == {v[0] for v in counted.values()}  # the log and the state agree


@given(st.lists(wanted_states, max_size=6))
def test_a_replay_derives_the_same_events(states: list[dict[str, str]]) -> None:
    first, _ = _run(states)
    again, _ = _run(states)
    assert [(e.event_id, e.type, e.data) for e in first] == [(e.event_id, e.type, e.data) for e in again]


def test_a_block_of_ours_is_credited_under_its_own_action_and_its_row_follows() -> None:
    own = {**FACTS, "own": "block-1"}
    done = credit("u1", "k", {}, 0, own, {"attend-event": TIMES[0]}, reason="", at=NOW, source="google")
    assert [e.data["action_id"] for e in done.events] == ["block-1"]
    assert done.outbox == {"block-1": {"status": "done"}}
    gone = credit(
        "u1", "k", done.counted, done.generation, own, {}, reason="cancelled", at=NOW, source="google"
    )
    assert gone.outbox == {"block-1": {"status": "skipped", "present": False}}
    again = credit(
        "u1",
        "k",
        gone.counted,
        gone.generation,
        own,
        {"attend-event": TIMES[0]},
        reason="",
        at=NOW,
        source="google",
    )
    assert [e.data["action_id"] for e in again.events] == [credit_action_id("u1", "k", "attend-event", 1)]


def test_the_payloads_are_those_the_logs_already_hold() -> None:
    """Key for key and in order: what a calendar credited before the typed constructors is what it
    credits now (an occurrence's start is logged as stored, not re-rendered)."""
    done = credit("u1", "k", {}, 0, FACTS, {"attend-event": TIMES[0]}, reason="", at=NOW, source="caldav")
    action_id = credit_action_id("u1", "k", "attend-event", 0)
    assert [(e.type, list(e.data.items())) for e in done.events] == [
        (
            ev.ACTION_DONE,
            [
                ("action_id", action_id),
                ("kind", "attend-event"),
                ("at", TIMES[0]),
                ("contact_ids", []),
                ("title", "Climate Tech Meetup"),
                ("note", None),
                ("source", "caldav"),
                ("calendar_event", "k"),
                ("logged_at", "2026-11-22T09:30:00+00:00"),
            ],
        )
    ]
    gone = credit("u1", "k", done.counted, 1, FACTS, {}, reason="gone", at=NOW, source="caldav")
    assert [(e.type, list(e.data.items())) for e in gone.events] == [
        (
            ev.ACTION_RETRACTED,
            [("action_id", action_id), ("reason", "gone"), ("at", "2026-11-22T09:30:00+00:00")],
        )
    ]
