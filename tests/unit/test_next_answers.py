"""Answers to the next list are facts only the next list reads; needs and offers are optional
fields old logs read without (no upcaster) (issue 28)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.calendars.feed import LogEntry, fold_actions
from domain.decisions.profile import Profile
from domain.errors import DomainError
from domain.event_types import events as ev
from domain.event_types.fold import LogFold
from domain.people.contacts import contact_from_added, contact_from_dict, contact_to_dict
from domain.people.next_answers import answer_event, answer_from_event, fold_answers
from domain.people.offers import matches, validate_list

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def _log(with_answers: bool) -> list[tuple[str, str, dict[str, object]]]:
    at = NOW.isoformat()
    rows: list[tuple[str, str, dict[str, object]]] = [
        ("user-u1", ev.USER_REGISTERED, {"handle": "me", "timezone": "UTC", "at": at}),
        (
            "user-u1",
            ev.GOAL_SET,
            {
                "goal_id": "g1",
                "title": "Follow up",
                "action": "follow-up",
                "target": 2,
                "frame": "week",
                "start": "2026-03-09",
                "at": at,
            },
        ),
        ("actions-u1", ev.ACTION_DONE, {"action_id": "a1", "kind": "follow-up", "at": at, "contact_ids": []}),
    ]
    if with_answers:
        for reply in ("done", "dismissed", "never"):
            event = answer_event("keep-in-touch:c1", reply, NOW, contact_id="c1", action_id="a1")
            rows.append(("actions-u1", event.type, event.data))
    return rows


def test_progress_and_the_feed_ignore_answers() -> None:
    folds = []
    for with_answers in (False, True):
        fold = LogFold()
        fold.apply_all(_log(with_answers))
        entries = [LogEntry(t, d, NOW) for s, t, d in _log(with_answers) if s.startswith("actions")]
        folds.append((fold.user("u1").counts(), set(fold.user("u1").actions), fold_actions(entries)))
    assert folds[0] == folds[1]


def test_answers_are_checked_and_read_back() -> None:
    snooze = answer_event("offer:c1", "snoozed", NOW, contact_id="c1", until=date(2026, 3, 12))
    assert answer_from_event(snooze.data).until == date(2026, 3, 12)
    for kwargs, words in [
        ({"reply": "later"}, "unknown answer"),
        ({"reply": "snoozed"}, "needs the day"),
        ({"reply": "snoozed", "until": date(2026, 3, 10)}, "a day after today"),
        ({"reply": "snoozed", "until": date(2028, 1, 1)}, "within a year"),
        ({"reply": "dismissed", "until": date(2026, 3, 12)}, "only a snooze"),
    ]:
        reply = str(kwargs.pop("reply"))
        with pytest.raises(DomainError, match=words):
            answer_event("offer:c1", reply, NOW, **kwargs)  # type: ignore[arg-type]
    for bad in (
        {},
        {"item_id": 3, "answer": "done", "at": NOW.isoformat()},
        {"item_id": "x", "answer": "done", "at": "2026-03-10"},
    ):
        with pytest.raises(DomainError):
            answer_from_event(bad)


def test_what_each_answer_hides_and_for_how_long() -> None:
    answers = [
        answer_from_event(answer_event("keep-in-touch:c1", "dismissed", NOW, contact_id="c1").data),
        answer_from_event(answer_event("offer:c2", "never", NOW, contact_id="c2").data),
        answer_from_event(answer_event("gap:a1:no-contacts", "never", NOW).data),
    ]
    told = fold_answers(answers, NOW)
    today = NOW.date()
    assert told.hides("keep-in-touch:c1", "c1", NOW + timedelta(days=6), today)
    assert not told.hides("keep-in-touch:c1", "c1", NOW + timedelta(days=7), today)
    assert told.hides("follow-up:c2", "c2", NOW + timedelta(days=900), today)  # never: the person
    assert told.hides("gap:a1:no-contacts", None, NOW + timedelta(days=900), today)
    assert not fold_answers(answers, NOW - timedelta(seconds=1)).hides("offer:c2", "c2", NOW, today)


def test_old_payloads_read_without_needs_or_offers() -> None:
    contact = contact_from_added({"contact_id": "c1", "name": "Old", "at": NOW.isoformat()})
    assert contact.needs == ()
    row = contact_to_dict(contact)
    del row["needs"]  # a view row written before the field existed
    assert contact_from_dict(row) == contact
    profile = Profile("u1")
    profile.apply(ev.USER_REGISTERED, {"handle": "me", "timezone": "UTC", "at": NOW.isoformat()})
    profile.apply(ev.USER_SETTINGS_CHANGED, {"weekly_budget": 3, "at": NOW.isoformat()})
    assert profile.offers == ()


def test_needs_match_offers_by_telling_words() -> None:
    assert [(n, o) for n, o, _ in matches(["Advice on PRICING", "a hire"], ["pricing advice", "intros"])] == [
        ("Advice on PRICING", "pricing advice")
    ]
    assert matches(["help with a hire"], ["help on anything"]) == []  # small words never match
    assert validate_list(["  intros ", "Intros", "pricing"], "offers") == ["intros", "pricing"]
    with pytest.raises(DomainError, match="empty entry"):
        validate_list(["  "], "offers")
