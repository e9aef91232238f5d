"""Commands are decided against the profile: bad input is named and produces no event."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain import decisions
from domain.decisions import ContactSpec, GoalSpec
from domain.decisions.profile import Profile
from domain.errors import DomainError, NotFoundError

NOW = datetime(2026, 11, 28, 10, tzinfo=UTC)


def profile_with(*events: decisions.Event) -> Profile:
    profile = Profile("u1")
    profile.apply(*_unpack(decisions.register("me", "Europe/Berlin", NOW)))
    for event in events:
        profile.apply(event.type, event.data)
    return profile


def _unpack(event: decisions.Event) -> tuple[str, dict[str, object]]:
    return event.type, event.data


def test_templates_fill_in_the_three_example_goals() -> None:
    profile = profile_with(decisions.add_contact(profile_with(), "ada", ContactSpec(name="Ada"), NOW))
    monthly = decisions.set_goal(profile, "g1", GoalSpec(template="monthly-event"), NOW).events[0].data
    assert (monthly["action"], monthly["target"], monthly["frame"]) == ("attend-event", 1, "month")
    weekly = decisions.set_goal(profile, "g2", GoalSpec(template="weekly-outreach"), NOW).events[0].data
    assert (weekly["action"], weekly["frame"], weekly["new_contacts_only"]) == ("reach-out", "week", True)
    mentor = (
        decisions.set_goal(profile, "g3", GoalSpec(template="mentor", contact_ids=("ada",)), NOW)
        .events[0]
        .data
    )
    assert (mentor["action"], mentor["target"], mentor["deadline"]) == ("meet-mentor", 6, "2027-05-28")
    assert mentor["contact_ids"] == ["ada"]
    assert "Ada" in mentor["title"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (GoalSpec(template="monthly-event", target=0), "target 0"),
        (GoalSpec(template="nope"), "unknown template 'nope'"),
        (GoalSpec(action="reach-out", target=1, frame="fortnight"), "unknown time frame 'fortnight'"),
        (GoalSpec(action="reach-out", target=1, deadline=date(2026, 1, 1)), "is in the past"),
        (GoalSpec(template="mentor"), "needs a contact"),
        (GoalSpec(template="mentor", contact_ids=("ghost",)), "no contact with id 'ghost'"),
        (GoalSpec(action="Bad Name!", target=1, frame="week"), "invalid action"),
        (GoalSpec(template="monthly-event", aspiration_id="nope"), "no aspiration"),
    ],
)
def test_bad_goals_are_rejected_with_a_message_naming_the_problem(spec: GoalSpec, message: str) -> None:
    with pytest.raises(DomainError, match=message):
        decisions.set_goal(profile_with(), "g", spec, NOW)


def test_goals_beyond_the_weekly_budget_warn_but_are_accepted() -> None:
    profile = profile_with()
    first = decisions.set_goal(profile, "g1", GoalSpec(action="reach-out", target=4, frame="week"), NOW)
    assert first.warnings == ()
    profile.apply(first.events[0].type, first.events[0].data)
    second = decisions.set_goal(profile, "g2", GoalSpec(action="follow-up", target=2, frame="week"), NOW)
    assert len(second.events) == 1
    assert "6.0 actions a week" in second.warnings[0] and "budget of 5" in second.warnings[0]


def test_a_revision_applies_from_the_next_period() -> None:
    profile = profile_with()
    set_ = decisions.set_goal(profile, "g1", GoalSpec(template="monthly-event"), NOW).events[0]
    profile.apply(set_.type, set_.data)
    revised = decisions.revise_goal(profile, "g1", NOW, target=3).events[0]
    assert revised.data["effective_from"] == "2026-12-01"
    profile.apply(revised.type, revised.data)
    assert profile.goals["g1"].target_for(date(2026, 11, 1)) == 1
    assert profile.goals["g1"].target_for(date(2026, 12, 1)) == 3


def test_pause_resume_archive_lifecycle() -> None:
    profile = profile_with()
    for event in decisions.set_goal(profile, "g1", GoalSpec(template="monthly-event"), NOW).events:
        profile.apply(event.type, event.data)
    with pytest.raises(DomainError, match="not paused"):
        decisions.resume_goal(profile, "g1", NOW)
    for event in decisions.pause_goal(profile, "g1", NOW):
        profile.apply(event.type, event.data)
    assert profile.goals["g1"].is_paused
    with pytest.raises(DomainError, match="already paused"):
        decisions.pause_goal(profile, "g1", NOW)
    for event in decisions.resume_goal(profile, "g1", NOW + timedelta(days=3)):
        profile.apply(event.type, event.data)
    for event in decisions.archive_goal(profile, "g1", NOW + timedelta(days=4)):
        profile.apply(event.type, event.data)
    with pytest.raises(DomainError, match="archived"):
        decisions.pause_goal(profile, "g1", NOW)
    with pytest.raises(NotFoundError, match="no goal"):
        decisions.archive_goal(profile, "ghost", NOW)


def test_actions_in_the_future_or_with_unknown_contacts_are_rejected() -> None:
    profile = profile_with()
    with pytest.raises(DomainError, match="in the future"):
        decisions.log_action(profile, "a1", "attend-event", NOW + timedelta(hours=1), NOW)
    with pytest.raises(NotFoundError, match="no contact"):
        decisions.log_action(profile, "a1", "reach-out", NOW, NOW, contact_ids=("ghost",))
    with pytest.raises(DomainError, match="no time zone"):
        decisions.log_action(profile, "a1", "reach-out", datetime(2026, 11, 1), NOW)


def test_contact_strength_is_validated_and_its_history_kept() -> None:
    profile = profile_with()
    with pytest.raises(DomainError, match="strength 7"):
        decisions.add_contact(profile, "c1", ContactSpec(name="Ada", strength=7), NOW)
    with pytest.raises(DomainError, match="invalid email"):
        decisions.add_contact(profile, "c1", ContactSpec(name="Ada", emails=("not-an-email",)), NOW)
    added = decisions.add_contact(profile, "c1", ContactSpec(name="Ada", strength=2), NOW)
    profile.apply(added.type, added.data)
    later = NOW + timedelta(days=60)
    for event in decisions.update_contact(profile, "c1", ContactSpec(strength=4), later):
        profile.apply(event.type, event.data)
    assert [s for _, s in profile.contacts["c1"].strengths] == [2, 4]
    assert profile.contacts["c1"].strength == 4
