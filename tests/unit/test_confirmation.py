"""The confirmation rule, pure: a passed block waits, evidence fulfils it once, the user's word
decides it, a week of silence skips it — and time alone never marks anything done."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendars import confirmation as rules
from domain.calendars.block_ledger import BlockLedger
from domain.errors import DomainError, NotFoundError
from domain.event_types import events as ev
from domain.tracking.goals import Goal
from domain.tracking.periods import Frame

BERLIN = ZoneInfo("Europe/Berlin")
BLOCK_START = datetime(2026, 12, 2, 18, 0, tzinfo=BERLIN)  # a Wednesday evening
GOAL = Goal(
    "g1",
    "Attend one networking event per month",
    "attend-event",
    Frame.MONTH,
    date(2026, 11, 1),
    None,
    ((date(2026, 11, 1), 1),),
    datetime(2026, 11, 1, tzinfo=UTC),
)


def planned(
    action_id: str = "b1", start: datetime = BLOCK_START, kind: str = "attend-event"
) -> tuple[str, dict[str, Any]]:
    return ev.ACTION_PLANNED, {
        "action_id": action_id,
        "goal_id": "g1",
        "kind": kind,
        "start": start.isoformat(),
        "end": (start + timedelta(hours=2)).isoformat(),
        "title": "Networking: Attend one networking event per month",
    }


def done(
    action_id: str, at: datetime, kind: str = "attend-event", title: str = "Meetup"
) -> tuple[str, dict[str, Any]]:
    return ev.ACTION_DONE, {
        "action_id": action_id,
        "kind": kind,
        "at": at.isoformat(),
        "title": title,
        "source": "google",
    }


def ledger(*items: tuple[str, dict[str, Any]], adopted: datetime | None = None) -> BlockLedger:
    folded = BlockLedger()
    if adopted is not None:
        folded.apply(ev.CONFIRMATION_ADOPTED, {"at": adopted.isoformat()})
    folded.apply_all(items)
    return folded


def context(now: datetime) -> rules.Context:
    return rules.Context({"g1": GOAL}, BERLIN, 0, now)


def settle(folded: BlockLedger, now: datetime) -> list[tuple[str, dict[str, Any]]]:
    """Settle and fold the result back, as the sweep does; returns (type, data) of what it decided."""
    decided = rules.settle(folded, context(now))
    for _key, event in decided:
        folded.apply(event.type, event.data)
    return [(e.type, e.data) for _k, e in decided]


AFTER = BLOCK_START + timedelta(hours=3)
ADOPTED = BLOCK_START - timedelta(days=5)


def test_a_passed_block_is_to_confirm_and_time_never_marks_it_done() -> None:
    folded = ledger(planned(), adopted=ADOPTED)
    block = folded.blocks["b1"]
    assert rules.state(block, BLOCK_START - timedelta(hours=1)) == rules.UPCOMING
    assert rules.state(block, AFTER) == rules.TO_CONFIRM
    assert settle(folded, AFTER) == []
    assert [b.action_id for b in rules.waiting(folded, AFTER)] == ["b1"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 24 * 60), min_size=1, max_size=8))
def test_no_clock_ever_settles_a_block_as_done(hours: list[int]) -> None:
    """Whatever moments the sweep runs at, it appends fulfilments and skips only — never a done."""
    folded = ledger(planned("b1"), planned("b2", BLOCK_START + timedelta(days=7)), adopted=ADOPTED)
    for offset in sorted(hours):
        decided = settle(folded, BLOCK_START + timedelta(hours=offset))
        assert all(kind != ev.ACTION_DONE for kind, _ in decided)
    assert all(b.outcome != "done" for b in folded.blocks.values())


def test_a_week_of_silence_skips_it_as_not_confirmed() -> None:
    folded = ledger(planned(), adopted=ADOPTED)
    end = folded.blocks["b1"].end
    assert settle(folded, end + timedelta(days=7) - timedelta(minutes=1)) == []
    decided = settle(folded, end + timedelta(days=7))
    assert decided == [
        (
            ev.ACTION_SKIPPED,
            {
                "action_id": "b1",
                "reason": "not confirmed",
                "by": "netgoals",
                "at": (end + timedelta(days=7)).isoformat(),
            },
        )
    ]
    assert settle(folded, end + timedelta(days=30)) == []  # decided once


def test_blocks_older_than_the_cut_over_get_their_week_from_the_cut_over() -> None:
    folded = ledger(planned())
    end = folded.blocks["b1"].end
    cut_over = end + timedelta(days=20)
    first = settle(folded, cut_over)
    assert first == [(ev.CONFIRMATION_ADOPTED, {"at": cut_over.isoformat()})]
    assert settle(folded, cut_over + timedelta(days=6)) == []
    assert settle(folded, cut_over + timedelta(days=7))[0][1]["reason"] == rules.NOT_CONFIRMED


def test_a_matching_done_action_that_day_fulfils_it_once() -> None:
    folded = ledger(planned(), done("m1", BLOCK_START + timedelta(minutes=30)), adopted=ADOPTED)
    decided = settle(folded, AFTER)
    assert [(k, d["action_id"], d["by"], d["title"]) for k, d in decided] == [
        (ev.ACTION_FULFILLED, "b1", "m1", "Meetup")
    ]
    assert rules.state(folded.blocks["b1"], AFTER) == "fulfilled"
    assert settle(folded, AFTER + timedelta(days=10)) == []  # nothing more, no skip


def test_one_event_fulfils_one_block_and_other_kinds_or_periods_fulfil_nothing() -> None:
    folded = ledger(
        planned("b1"),
        planned("b2", BLOCK_START + timedelta(days=1)),
        planned("b3", datetime(2027, 1, 6, 18, tzinfo=BERLIN)),
        done("m1", BLOCK_START + timedelta(days=1, minutes=10)),  # on b2's day
        done("r1", BLOCK_START, kind="reach-out"),
        adopted=ADOPTED,
    )
    later = datetime(2027, 1, 7, tzinfo=BERLIN)
    decided = settle(folded, later)
    fulfilled = {d["action_id"]: d["by"] for k, d in decided if k == ev.ACTION_FULFILLED}
    assert fulfilled == {"b2": "m1"}  # its own day first; and once only
    assert folded.blocks["b1"].reason == rules.NOT_CONFIRMED  # no evidence left for it
    assert rules.state(folded.blocks["b3"], later) == rules.TO_CONFIRM  # reach-out is another kind


def test_evidence_elsewhere_in_the_period_fulfils_a_block() -> None:
    folded = ledger(planned(), done("m1", BLOCK_START + timedelta(days=10)), adopted=ADOPTED)
    decided = settle(folded, BLOCK_START + timedelta(days=11))
    assert [(k, d["by"]) for k, d in decided] == [(ev.ACTION_FULFILLED, "m1")]


def test_the_users_answers() -> None:
    now = AFTER
    folded = ledger(planned(), planned("b2"), adopted=ADOPTED)
    with pytest.raises(NotFoundError):
        rules.confirm(folded, "nope", "done", "cli", now)
    with pytest.raises(DomainError, match="not started"):
        rules.confirm(folded, "b1", "done", "cli", BLOCK_START - timedelta(minutes=1))
    with pytest.raises(DomainError, match="'done' or 'skip'"):
        rules.confirm(folded, "b1", "maybe", "cli", now)
    [(key, event)] = rules.confirm(folded, "b1", "done", "link", now)
    assert key == "b1/done" and event.type == ev.ACTION_DONE
    assert event.data["at"] == BLOCK_START.isoformat() and event.data["confirmed_via"] == "link"
    folded.apply(event.type, event.data)
    assert rules.confirm(folded, "b1", "done", "cli", now) == []  # a second click decides nothing
    with pytest.raises(DomainError, match="already confirmed"):
        rules.confirm(folded, "b1", "skip", "cli", now)
    [(key, event)] = rules.confirm(folded, "b2", "skip", "dashboard", now)
    assert event.type == ev.ACTION_SKIPPED and event.data["reason"] == rules.DID_NOT_HAPPEN


def test_a_late_done_outweighs_not_confirmed() -> None:
    folded = ledger(planned(), adopted=ADOPTED)
    late = folded.blocks["b1"].end + timedelta(days=9)
    settle(folded, late)
    assert folded.blocks["b1"].reason == rules.NOT_CONFIRMED
    [(_key, event)] = rules.confirm(folded, "b1", "done", "link", late)
    folded.apply(event.type, event.data)
    assert rules.state(folded.blocks["b1"], late) == "done"


def test_evidence_the_same_day_replaces_a_confirmation_so_it_counts_once() -> None:
    folded = ledger(planned(), adopted=ADOPTED)
    [(_key, event)] = rules.confirm(folded, "b1", "done", "link", AFTER)
    folded.apply(event.type, event.data)
    folded.apply(*done("m1", BLOCK_START))  # the calendar shows it later
    decided = settle(folded, AFTER + timedelta(hours=1))
    assert [k for k, _ in decided] == [ev.ACTION_RETRACTED, ev.ACTION_FULFILLED]
    assert decided[0][1]["action_id"] == "b1"
    # an action on another day of the period does not take a confirmed block's place
    other = ledger(planned(), adopted=ADOPTED)
    [(_key, event)] = rules.confirm(other, "b1", "done", "link", AFTER)
    other.apply(event.type, event.data)
    other.apply(*done("m2", BLOCK_START + timedelta(days=3)))
    assert settle(other, BLOCK_START + timedelta(days=4)) == []


def test_a_retracted_fulfiller_puts_the_block_back_to_confirm() -> None:
    folded = ledger(planned(), done("m1", BLOCK_START), adopted=ADOPTED)
    settle(folded, AFTER)
    folded.apply(ev.ACTION_RETRACTED, {"action_id": "m1"})
    assert rules.state(folded.blocks["b1"], AFTER) == rules.TO_CONFIRM


def _confirmed_then_merged(folded: BlockLedger) -> None:
    """The user confirms b1; a meetup on its day (m1) then takes the confirmation's place."""
    [(_key, event)] = rules.confirm(folded, "b1", "done", "link", AFTER)
    folded.apply(event.type, event.data)
    folded.apply(*done("m1", BLOCK_START))
    decided = settle(folded, AFTER + timedelta(hours=1))
    assert [k for k, _ in decided] == [ev.ACTION_RETRACTED, ev.ACTION_FULFILLED]
    assert decided[1][1]["absorbs"] == "b1"


def test_retracted_evidence_gives_back_the_confirmation_it_was_merged_with_once() -> None:
    folded = ledger(
        planned(),
        planned("b2", BLOCK_START + timedelta(days=2)),
        planned("b3", BLOCK_START + timedelta(days=4)),
        adopted=ADOPTED,
    )
    _confirmed_then_merged(folded)
    folded.apply(ev.ACTION_RETRACTED, {"action_id": "m1"})
    later = BLOCK_START + timedelta(days=5)
    folded.apply(*done("m2", BLOCK_START + timedelta(days=1)))  # in the period, not on b1's day
    # "done" before the sweep and the sweep itself restore the same fact (same key: appended once)
    [answered] = rules.confirm(folded, "b1", "done", "cli", later)
    decided = rules.settle(folded, context(later))
    restored = [(k, e) for k, e in decided if e.type == ev.ACTION_DONE]
    assert [k for k, _ in restored] == [answered[0]] == ["b1/restored/m1"]
    assert restored[0][1].data["action_id"] == rules.restored_id("b1", "m1")
    assert restored[0][1].data["block_id"] == "b1" and restored[0][1].data["confirmed_via"] == "link"
    assert restored[0][1].data["at"] == BLOCK_START.isoformat()
    assert all(e.data.get("by") != "m2" or e.data["action_id"] == "b2" for _k, e in decided)
    for _key, event in decided:
        folded.apply(event.type, event.data)
    assert rules.state(folded.blocks["b1"], later) == "done"
    assert folded.blocks["b2"].fulfilled_by == "m2" and folded.blocks["b3"].outcome is None
    # A second sweep decides nothing: the restored confirmation (b1's own) does not fulfil b3.
    assert settle(folded, later) == []
    assert rules.confirm(folded, "b1", "done", "cli", later) == []


def test_a_confirmation_the_user_took_back_is_not_restored() -> None:
    folded = ledger(planned(), adopted=ADOPTED)
    [(_key, event)] = rules.confirm(folded, "b1", "done", "link", AFTER)
    folded.apply(event.type, event.data)
    folded.apply(ev.ACTION_RETRACTED, {"action_id": "b1"})  # their own word, taken back
    folded.apply(*done("m1", BLOCK_START))
    [(kind, data)] = settle(folded, AFTER + timedelta(hours=1))
    assert kind == ev.ACTION_FULFILLED and "absorbs" not in data
    folded.apply(ev.ACTION_RETRACTED, {"action_id": "m1"})
    assert settle(folded, AFTER + timedelta(hours=2)) == []
    assert rules.state(folded.blocks["b1"], AFTER) == rules.TO_CONFIRM


def test_a_title_says_done() -> None:
    assert rules.title_says_done("✓ Networking: meetup")
    assert rules.title_says_done("Done - Networking")
    assert rules.title_says_done("  ✔ coffee")
    assert not rules.title_says_done("Networking: done deals")
    assert not rules.title_says_done("Donezo")
