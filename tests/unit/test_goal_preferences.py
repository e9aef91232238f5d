"""A goal's own preferences for its calendar blocks: validated when given, folded from `goal.set`
and `goal.preferences-set`, and used by planning field by field over the action kind's defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain import decisions
from domain.calendars.attendance import Attendee, CalendarEvent, keywords_of, rule_for
from domain.calendars.planning import PREFERENCES, Block, plan, preference_of
from domain.decisions import ContactSpec, GoalSpec, PreferenceSpec
from domain.decisions.profile import Profile
from domain.errors import DomainError, NotFoundError
from domain.event_types import events as ev
from domain.tracking.goals import goal_from_dict, goal_to_dict
from domain.tracking.preferences import GoalPreferences, parse_days, parse_hours

NOW = datetime(2026, 11, 28, 10, tzinfo=UTC)  # a Saturday
BERLIN = ZoneInfo("Europe/Berlin")


def _profile(*events: decisions.Event) -> Profile:
    profile = Profile("u1")
    registered = decisions.register("me", "Europe/Berlin", NOW)
    profile.apply(registered.type, registered.data)
    for event in events:
        profile.apply(event.type, event.data)
    return profile


def _with_goal(spec: GoalSpec, goal_id: str = "g1") -> Profile:
    profile = _profile()
    for event in decisions.set_goal(profile, goal_id, spec, NOW).events:
        profile.apply(event.type, event.data)
    return profile


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon-fri", (0, 1, 2, 3, 4)),
        ("mon,wed,fri", (0, 2, 4)),
        ("Sat-Sun", (5, 6)),
        ("fri-mon", (0, 4, 5, 6)),  # a range wraps around the week end
        ("tuesday, thu", (1, 3)),
        (("mon-tue", "sun"), (0, 1, 6)),
    ],
)
def test_days_are_names_or_ranges(text: str | tuple[str, ...], days: tuple[int, ...]) -> None:
    assert parse_days(text) == days


@pytest.mark.parametrize("text", ["", "someday", "mon-funday", ",", "mo"])
def test_bad_days_are_named(text: str) -> None:
    with pytest.raises(DomainError, match="days"):
        parse_days(text)


def test_hours_need_a_start_before_the_end() -> None:
    assert parse_hours("18:00-21:00") == (time(18), time(21))
    assert parse_hours(" 8:30 - 10:00 ") == (time(8, 30), time(10))
    for bad in ("21:00-18:00", "18:00-18:00", "18-21", "25:00-26:00", "09:60-10:00", "evening"):
        with pytest.raises(DomainError, match="hours"):
            parse_hours(bad)


def test_setting_a_goal_keeps_its_preferences_in_the_event() -> None:
    spec = GoalSpec(template="monthly-event", duration=45, days="mon-fri", hours="18:00-21:00")
    data = decisions.set_goal(_profile(), "g1", spec, NOW).events[0].data
    assert (data["duration_minutes"], data["days"], data["hours"]) == (
        45,
        ["mon", "tue", "wed", "thu", "fri"],
        "18:00-21:00",
    )
    goal = _with_goal(spec).goals["g1"]
    assert goal.preferences == GoalPreferences(45, (0, 1, 2, 3, 4), (time(18), time(21)))
    assert goal_from_dict(goal_to_dict(goal)) == goal


def test_goals_without_preferences_keep_their_old_payload_and_fold_as_before() -> None:
    data = decisions.set_goal(_profile(), "g1", GoalSpec(template="monthly-event"), NOW).events[0].data
    assert not {"duration_minutes", "days", "hours"} & set(data)
    goal = _with_goal(GoalSpec(template="monthly-event")).goals["g1"]
    assert goal.preferences == GoalPreferences()
    old_row = goal_to_dict(goal)
    del old_row["preferences"]  # a v_goals row written before preferences existed
    assert goal_from_dict(old_row) == goal


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (GoalSpec(template="monthly-event", duration=4), "duration"),
        (GoalSpec(template="monthly-event", duration=481), "duration"),
        (GoalSpec(template="monthly-event", days="funday"), "days"),
        (GoalSpec(template="monthly-event", hours="21:00-18:00"), "hours"),
        # the kind's 120-minute event does not fit in one hour
        (GoalSpec(template="monthly-event", hours="18:00-19:00"), "does not fit"),
    ],
)
def test_bad_preferences_reject_the_goal(spec: GoalSpec, field: str) -> None:
    with pytest.raises(DomainError, match=field):
        decisions.set_goal(_profile(), "g1", spec, NOW)


def test_preferences_set_later_merge_or_replace() -> None:
    profile = _with_goal(GoalSpec(template="monthly-event", duration=45, days="mon-fri"))
    merged = decisions.set_goal_preferences(profile, "g1", PreferenceSpec(hours="17:00-22:00"), NOW)
    assert [e.type for e in merged] == [ev.GOAL_PREFERENCES_SET]
    assert (merged[0].data["duration_minutes"], merged[0].data["hours"]) == (45, "17:00-22:00")
    profile.apply(merged[0].type, merged[0].data)
    assert profile.goals["g1"].preferences.hours == (time(17), time(22))
    replaced = decisions.set_goal_preferences(profile, "g1", PreferenceSpec(days="sat"), NOW, replace=True)
    assert replaced[0].data == {
        "goal_id": "g1",
        "duration_minutes": None,
        "days": ["sat"],
        "hours": None,
        "keywords": None,
        "domains": None,
        "at": NOW.isoformat(),
    }
    profile.apply(replaced[0].type, replaced[0].data)
    assert profile.goals["g1"].preferences == GoalPreferences(days=(5,))
    # the same again changes nothing and appends nothing
    assert decisions.set_goal_preferences(profile, "g1", PreferenceSpec(days="sat"), NOW) == []
    with pytest.raises(NotFoundError):
        decisions.set_goal_preferences(profile, "nope", PreferenceSpec(days="sat"), NOW)
    with pytest.raises(DomainError, match="does not fit"):
        decisions.set_goal_preferences(profile, "g1", PreferenceSpec(duration=200, hours="18:00-21:00"), NOW)


def test_planning_uses_the_goals_preference_field_by_field() -> None:
    default = PREFERENCES["attend-event"]
    goal = _with_goal(GoalSpec(template="monthly-event", duration=45)).goals["g1"]
    pref = preference_of(goal)
    assert (pref.minutes, pref.weekdays, pref.earliest, pref.latest) == (
        45,
        default.weekdays,
        default.earliest,
        default.latest,
    )
    plain = _with_goal(GoalSpec(template="monthly-event")).goals["g1"]
    assert preference_of(plain) == default


def test_blocks_are_planned_on_the_goals_days_and_hours() -> None:
    spec = GoalSpec(template="weekly-outreach", duration=20, days="sat-sun", hours="07:00-08:00")
    profile = _with_goal(spec)
    changes = plan(
        profile.goals.values(),
        {},
        [],
        [],
        NOW,
        BERLIN,
        0,
        lambda goal_id, period, index: f"{goal_id}/{period}/{index}",
        weeks=3,
    )
    assert changes.new
    for block in changes.new:
        local = block.start.astimezone(BERLIN)
        assert local.weekday() in (5, 6)
        assert time(7) <= local.time() and block.end.astimezone(BERLIN).time() <= time(8)
        assert block.end - block.start == timedelta(minutes=20)
    # today (Saturday) is past 07:00-08:00 in Berlin: the first block is on Sunday
    assert changes.new[0].start.astimezone(BERLIN).date() == date(2026, 11, 29)


def _event(summary: str, *emails: str) -> CalendarEvent:
    start = NOW - timedelta(days=1)
    return CalendarEvent(
        "primary",
        "e1",
        "confirmed",
        start,
        start + timedelta(hours=1),
        summary=summary,
        attendees=(
            Attendee("me@example.org", is_self=True, response="accepted"),
            *(Attendee(e) for e in emails),
        ),
    )


def test_a_goals_own_keywords_replace_the_kinds_defaults() -> None:
    profile = _with_goal(GoalSpec(template="monthly-event", keywords=("Demo  Night", "demo night", "pitch")))
    goal = profile.goals["g1"]
    assert goal.preferences.keywords == ("demo night", "pitch")
    rule = rule_for(goal, profile.contacts)
    assert rule.matches(_event("Demo night at Acme"))
    assert rule.matches(_event("Pitch evening"))
    assert rule.matches(_event("Autumn demo nights"))  # a plural still matches
    assert not rule.matches(_event("Cloud meetup"))  # the kind's default keyword no longer counts
    plain = rule_for(_with_goal(GoalSpec(template="monthly-event")).goals["g1"], {})
    assert plain.matches(_event("Cloud meetup"))
    assert "meetup" in keywords_of(_with_goal(GoalSpec(template="monthly-event")).goals["g1"])


def test_a_goals_domains_add_to_its_contacts_emails() -> None:
    profile = _profile()
    added = decisions.add_contact(profile, "c1", ContactSpec(name="Ada", emails=("ada@mentor.org",)), NOW)
    profile.apply(added.type, added.data)
    spec = GoalSpec(template="mentor", contact_ids=("c1",), domains=("@Acme.com",))
    for event in decisions.set_goal(profile, "g1", spec, NOW).events:
        profile.apply(event.type, event.data)
    goal = profile.goals["g1"]
    assert goal.preferences.domains == ("acme.com",)
    rule = rule_for(goal, profile.contacts)
    assert rule.matches(_event("Lunch", "ada@mentor.org"))
    assert rule.matches(_event("Lunch", "bo@acme.com"))
    assert rule.matches(_event("Lunch", "bo@eng.acme.com"))  # subdomains belong to the domain
    assert not rule.matches(_event("Lunch", "bo@notacme.com"))
    assert not rule.matches(_event("mentor session", "x@else.org"))  # a goal about people: no keywords
    # a weekly outreach goal with a domain is about those people too; its own keywords would add to them
    outreach = _with_goal(GoalSpec(template="weekly-outreach", domains=("acme.com",))).goals["g1"]
    assert keywords_of(outreach) == ()
    both = _with_goal(GoalSpec(template="weekly-outreach", domains=("acme.com",), keywords=("coffee",)))
    assert rule_for(both.goals["g1"], {}).matches(_event("coffee", "x@else.org"))


def test_bad_keywords_and_domains_are_named() -> None:
    for spec, field in (
        (GoalSpec(template="monthly-event", keywords=("  ",)), "keywords"),
        (GoalSpec(template="monthly-event", keywords=("x" * 81,)), "keyword"),
        (GoalSpec(template="monthly-event", domains=("not a domain",)), "domain"),
        (GoalSpec(template="monthly-event", domains=("localhost",)), "domain"),
    ):
        with pytest.raises(DomainError, match=field):
            decisions.set_goal(_profile(), "g1", spec, NOW)


def test_matching_rules_set_later_keep_the_planning_preferences() -> None:
    profile = _with_goal(GoalSpec(template="monthly-event", duration=45))
    events = decisions.set_goal_preferences(profile, "g1", PreferenceSpec(keywords=("meetup", "expo")), NOW)
    assert (events[0].data["duration_minutes"], events[0].data["keywords"]) == (45, ["meetup", "expo"])
    profile.apply(events[0].type, events[0].data)
    cleared = decisions.set_goal_preferences(profile, "g1", PreferenceSpec(keywords=()), NOW)
    profile.apply(cleared[0].type, cleared[0].data)
    assert keywords_of(profile.goals["g1"]) == ()  # only its own planned blocks count now


def test_a_lowered_target_removes_the_latest_blocks_the_user_did_not_move() -> None:
    profile = _with_goal(GoalSpec(action="reach-out", target=3, frame="week"))
    goal = profile.goals["g1"]
    week = date(2026, 11, 30)

    def block(action_id: str, day: int, *, moved: bool = False) -> Block:
        start = datetime(2026, 11, 30, 8, 30, tzinfo=BERLIN) + timedelta(days=day)
        return Block(
            action_id, "g1", "reach-out", start, start + timedelta(minutes=15), week, user_moved=moved
        )

    blocks = [block("a", 0), block("b", 1, moved=True), block("c", 2)]
    revised = decisions.revise_goal(profile, "g1", NOW, target=1).events[0]
    profile.apply(revised.type, revised.data)
    changes = plan([profile.goals["g1"]], {}, blocks, [], NOW, BERLIN, 0, lambda *a: "new", weeks=1)
    assert sorted((b.action_id, why) for b, why in changes.removed) == [
        ("a", "target-lowered"),
        ("c", "target-lowered"),
    ]
    assert not changes.new
    assert goal.target == 3  # the old state is untouched
