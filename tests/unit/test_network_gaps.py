"""The network per aspiration for a small network whose answer was worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.decisions import ContactSpec, add_contact, register
from domain.decisions.profile import Profile
from domain.event_types import events as ev
from domain.people.network import assess
from domain.people.network_gaps import aspiration_networks, organisation_kind
from domain.tracking.actions import Interactions

ADDED = datetime(2026, 8, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 116 days later


def _network() -> Profile:
    profile = Profile("u1")
    registered = register("ann@example.com", "UTC", ADDED)
    profile.apply(registered.type, registered.data)
    for number, (text, kind) in enumerate(
        [
            ("Move into a product role at a climate startup", "new-job"),
            ("Win three clients at a logistics company", "clients"),
            ("Find a mentor in design", "mentorship"),
        ]
    ):
        at = (ADDED + timedelta(minutes=number)).isoformat()
        profile.apply(
            ev.ASPIRATION_ADDED, {"aspiration_id": f"a{number + 1}", "text": text, "kind": kind, "at": at}
        )
    people = {
        "maya": ContactSpec(
            name="Maya Lin",
            organisation="Green Grid",
            role="Head of Product",
            tags=("mentor",),
            strength=5,
            cadence_days=30,
            helps_with=("a1",),
        ),
        "tomas": ContactSpec(
            name="Tomás Ruiz",
            organisation="SolarLab",
            role="Founder",
            tags=("climate", "startups"),
            strength=4,
            cadence_days=200,
            helps_with=("a1", "a2"),
        ),
        "ann": ContactSpec(
            name="Ann Okafor",
            organisation="Carbonwise",
            role="Recruiter",
            strength=2,
            cadence_days=10,
            helps_with=("a1", "a2"),
        ),
        "bo": ContactSpec(name="Bo Chen", organisation="Freightly"),  # helps with nothing (yet)
    }
    for contact_id, spec in people.items():
        added = add_contact(profile, contact_id, spec, ADDED)
        profile.apply(added.type, added.data)
    return profile


def test_gaps_per_aspiration_for_a_known_network() -> None:
    profile = _network()
    standings = assess([(c, Interactions()) for c in profile.contacts.values()], NOW, ZoneInfo("UTC"), 0)
    a1, a2, a3 = aspiration_networks(
        profile.aspirations.values(), standings.contacts, profile.goals, NOW.date()
    )

    # A product role at a climate startup: Maya (5), Tomás (4), Ann (2). Tomás's tags cover
    # "climate startup", Maya is a mentor; Maya (cadence 30) is 116 - 30 = 86 days quiet.
    assert [s.contact.name for s in a1.helpers] == ["Maya Lin", "Tomás Ruiz", "Ann Okafor"]
    assert a1.by_strength == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1, "unrated": 0}
    assert a1.organisations == (("Carbonwise", 1), ("Green Grid", 1), ("SolarLab", 1))
    assert a1.roles == (("Founder", 1), ("Head of Product", 1), ("Recruiter", 1))
    assert a1.organisation_kind == "climate startup"
    [quiet] = a1.gaps
    assert quiet.kind == "gone-quiet"
    assert quiet.message == "Strong ties gone quiet past their cadence: Maya Lin."
    assert (quiet.proposal.title, quiet.proposal.action, quiet.proposal.target) == (
        "Catch up with Maya Lin this month",
        "follow-up",
        1,
    )
    assert quiet.proposal.contact_ids == ("maya",)  # Ann is overdue too (106 days) but not a strong tie

    # Clients at a logistics company: Tomás (4) and Ann (2); no mentor, nobody in logistics.
    assert [g.kind for g in a2.gaps] == ["no-mentor", "no-one-at-kind"]
    mentor, logistics = a2.gaps
    assert (mentor.proposal.title, mentor.proposal.frame, mentor.proposal.deadline) == (
        "Meet a mentor within six months",
        "deadline",
        date(2027, 5, 25),
    )
    assert logistics.proposal.title == "Reach out to one new contact at a logistics company per week"
    assert (logistics.proposal.action, logistics.proposal.frame, logistics.proposal.new_contacts_only) == (
        "reach-out",
        "week",
        True,
    )

    # A mentor in design: nobody yet.
    assert a3.helpers == ()
    assert [g.kind for g in a3.gaps] == ["no-contacts", "no-mentor"]
    assert a3.organisation_kind is None


def test_a_gap_whose_goal_is_set_says_so() -> None:
    profile = _network()
    set_goal = {
        "goal_id": "g1",
        "title": "Meet a mentor within six months",
        "action": "meet-mentor",
        "target": 1,
        "frame": "deadline",
        "start": "2026-11-25",
        "deadline": "2027-05-25",
        "aspiration_id": "a2",
        "contact_ids": [],
        "new_contacts_only": False,
        "template": None,
        "at": NOW.isoformat(),
    }
    profile.apply(ev.GOAL_SET, set_goal)
    standings = assess([(c, Interactions()) for c in profile.contacts.values()], NOW, ZoneInfo("UTC"), 0)
    views = aspiration_networks(profile.aspirations.values(), standings.contacts, profile.goals, NOW.date())
    assert [(g.kind, g.goal_id) for g in views[1].gaps] == [("no-mentor", "g1"), ("no-one-at-kind", None)]
    # Another aspiration's mentor gap is closed by the same mentor goal (issue 22, item 7).
    assert [(g.kind, g.goal_id) for g in views[2].gaps] == [("no-contacts", None), ("no-mentor", "g1")]


def test_the_kind_of_organisation_an_aspiration_names() -> None:
    assert organisation_kind("Join a team at a climate startup by 2027") == "climate startup"
    assert organisation_kind("Land a job at an energy company.") == "energy company"
    assert organisation_kind("Grow my freelance client base") is None


def test_advice_proposes_only_what_the_person_does_not_already_have() -> None:
    """Issue 22, item 7: "Meet a mentor within six months" beside an existing mentor goal, and the
    same weekly-outreach goal proposed for three aspirations."""
    profile = Profile("u1")
    registered = register("ann@example.com", "UTC", ADDED)
    profile.apply(registered.type, registered.data)
    for number in range(3):
        at = (ADDED + timedelta(minutes=number)).isoformat()
        data = {
            "aspiration_id": f"a{number + 1}",
            "text": f"Aspiration {number + 1}",
            "kind": "other",
            "at": at,
        }
        profile.apply(ev.ASPIRATION_ADDED, data)
    grace = add_contact(profile, "grace", ContactSpec(name="Grace Hopper"), ADDED)
    profile.apply(grace.type, grace.data)
    mentor_goal = {
        "goal_id": "m1",
        "title": "Build a relationship with Grace Hopper (mentor)",
        "action": "meet-mentor",
        "target": 6,
        "frame": "deadline",
        "start": "2026-11-25",
        "deadline": "2027-05-25",
        "aspiration_id": None,  # serves no aspiration in particular: it still is a mentor goal
        "contact_ids": ["grace"],
        "new_contacts_only": False,
        "template": "mentor",
        "at": NOW.isoformat(),
    }
    profile.apply(ev.GOAL_SET, mentor_goal)
    standings = assess([(c, Interactions()) for c in profile.contacts.values()], NOW, ZoneInfo("UTC"), 0)
    views = aspiration_networks(profile.aspirations.values(), standings.contacts, profile.goals, NOW.date())
    for view in views:
        gaps = {g.kind: g for g in view.gaps}
        assert gaps["no-mentor"].goal_id == "m1"  # the mentor goal covers it, whatever it serves
    first, *others = [next(g for g in v.gaps if g.kind == "no-contacts") for v in views]
    assert (first.goal_id, first.shared_with) == (None, None)  # proposed once ...
    assert [(g.goal_id, g.shared_with) for g in others] == [(None, "a1"), (None, "a1")]  # ... not thrice
