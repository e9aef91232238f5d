"""Briefs and meeting nudges over many scripted logs (issue 28): a brief and a nudge are only ever
about people the network knew at that moment, the list with meetings and promises is the same
whatever order the facts come in, and a promise stays open until done or never — and never on a
promise drops it without silencing the person."""

from __future__ import annotations

import random
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.people.meetings import brief, coming_up, just_past
from domain.people.next_actions import next_list
from domain.people.next_answers import open_promises
from tests.next_script import Script, at

PEOPLE = ["c1", "c2", "c3", "c4"]
BASE = at("2026-03-01", "00:00")
hours = st.integers(min_value=0, max_value=24 * 20)


@st.composite
def scripts(draw: st.DrawFn) -> tuple[Script, int]:
    s = Script()
    for contact_id in PEOPLE[: draw(st.integers(1, 4))]:
        added = BASE + timedelta(hours=draw(hours))
        s.contact(
            contact_id, f"Person {contact_id}", added.date().isoformat(), emails=[f"{contact_id}@x.org"]
        )
    for n in range(draw(st.integers(0, 6))):
        who = draw(st.lists(st.sampled_from([*PEOPLE, "ghost"]), max_size=3))
        strangers = draw(st.lists(st.sampled_from(["zoe@y.org", "c1@x.org", "al@z.org"]), max_size=2))
        start = BASE + timedelta(hours=draw(hours))
        s.meeting(f"m{n}", start, f"Meeting {n}", *who, strangers=tuple(strangers), going=draw(st.booleans()))
    for n in range(draw(st.integers(0, 4))):
        person = draw(st.sampled_from(PEOPLE))
        made = BASE + timedelta(hours=draw(hours))
        s.answer(f"x{n}", "dismissed", made, person, promises=((f"p{n}", f"promise {n}"),))
    return s, draw(hours)


@settings(max_examples=200, deadline=None)
@given(scripts())
def test_briefs_and_nudges_are_only_about_people_known_then(case: tuple[Script, int]) -> None:
    s, offset = case
    now = BASE + timedelta(hours=offset)
    known = {c.contact_id for c in s.profile.contacts.values() if c.added_at <= now}
    for meeting in [*coming_up(s.meetings, s.profile, now), *just_past(s.meetings, s.profile, now)]:
        assert meeting.going and known & set(meeting.contact_ids)
        found = brief(meeting, s.profile, s.actions, {}, open_promises(s.answers, now), now)
        assert found.people and {p.contact_id for p in found.people} <= known & set(meeting.contact_ids)
        assert all(p.contact_id == person.contact_id for person in found.people for p in person.promises)
    for item in s.next(now, limit=50):
        if item.kind in ("brief", "after-meeting"):
            assert item.contact_id in known
            meeting = next(m for m in s.meetings if m.meeting_id == item.meeting_id)
            assert item.contact_id in meeting.contact_ids


@settings(max_examples=200, deadline=None)
@given(scripts(), st.randoms(use_true_random=False))
def test_the_list_does_not_depend_on_the_order_of_facts(case: tuple[Script, int], rnd: random.Random) -> None:
    s, offset = case
    now = BASE + timedelta(hours=offset)
    first = s.next(now, limit=50)
    meetings, answers = list(s.meetings), list(s.answers)
    rnd.shuffle(meetings)
    rnd.shuffle(answers)
    again = next_list(s.profile, s.actions, s.ledger.blocks.values(), answers, now, 50, meetings)
    assert again == first


def test_a_promise_is_open_until_done_or_never_and_never_keeps_the_person() -> None:
    s = Script()
    s.contact("c1", "Ana Lima", "2026-03-01", cadence_days=7)
    s.answer(
        "x", "dismissed", at("2026-03-02"), "c1", promises=(("p1", "send the intro"), ("p2", "the deck"))
    )
    assert [p.promise_id for p in open_promises(s.answers, at("2026-03-02"))] == ["p1", "p2"]
    assert open_promises(s.answers, at("2026-03-01")) == []  # not made yet
    s.answer("promise:p1", "done", at("2026-03-03"), "c1")
    s.answer("promise:p2", "never", at("2026-03-03"), "c1")
    assert open_promises(s.answers, at("2026-03-04")) == []
    # Never on a promise drops that promise only: Ana's keep-in-touch item is still suggested.
    assert [i.item_id for i in s.next(at("2026-03-20"))] == ["keep-in-touch:c1"]


def test_a_full_calendar_shows_the_soonest_briefs_in_the_list_and_all_of_them_elsewhere() -> None:
    s = Script()
    s.contact("c1", "Ana Lima", "2026-03-01", cadence_days=7)
    for hour in range(9, 14):
        s.meeting(f"m{hour}", at("2026-03-11", f"{hour:02d}:00"), f"Meeting at {hour}", "c1")
    now = at("2026-03-10", "09:00")
    assert len(coming_up(s.meetings, s.profile, now)) == 5
    items = s.next(now, limit=50)
    assert [i.item_id for i in items] == ["brief:m9", "brief:m10", "brief:m11", "keep-in-touch:c1"]
