"""The merge rules of an import, as pure decisions: the same email, the same LinkedIn profile, or
the same name at the same organisation is one person; the file fills gaps and never overwrites."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.decisions import ContactSpec, Rating, add_contact, assess_contact, register
from domain.decisions.contact_import import plan_import
from domain.decisions.profile import Profile
from domain.errors import DomainError
from domain.event_types import events as ev
from domain.people.contact_matching import ImportedContact

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _profile(*contacts: tuple[str, ContactSpec]) -> Profile:
    profile = Profile("u1")
    registered = register("ann@example.com", "Europe/Berlin", NOW)
    profile.apply(registered.type, registered.data)
    for contact_id, spec in contacts:
        added = add_contact(profile, contact_id, spec, NOW)
        profile.apply(added.type, added.data)
    return profile


def _id(key: str) -> str:
    return f"id-{key}"


def _plan(profile: Profile, *records: ImportedContact, source: str = "linkedin"):  # type: ignore[no-untyped-def]
    return plan_import(profile, list(records), source, NOW, _id)


def test_same_email_same_linkedin_url_or_same_name_at_same_organisation_merge() -> None:
    profile = _profile(
        ("c-email", ContactSpec(name="Maya Lin", emails=("maya@greengrid.example",))),
        ("c-url", ContactSpec(name="Tomás Ruiz", linkedin_url="https://www.linkedin.com/in/tomas-ruiz/")),
        ("c-name", ContactSpec(name="José García", organisation="Green Grid")),
    )
    plan = _plan(
        profile,
        ImportedContact("line 5", "M. Lin", ("MAYA@greengrid.example",), "Green Grid", "Head of Product"),
        ImportedContact("line 6", "Tomas Ruiz", (), "SolarLab", None, "linkedin.com/in/tomas-ruiz"),
        ImportedContact("line 7", "jose  GARCIA", (), "Green Grid, Inc.", "Research"),  # accents, case, Inc.
        ImportedContact("line 8", "José García", (), "Other Org"),  # same name elsewhere: someone else
    )
    assert [k.contact_id for k in plan.known] == ["c-email", "c-url", "c-name"]
    assert [r.where for _, r in plan.new] == ["line 8"]
    updates = {e.data["contact_id"]: e.data for e in plan.events if e.type == ev.CONTACT_UPDATED}
    assert updates["c-email"]["role"] == "Head of Product"
    assert updates["c-email"]["organisation"] == "Green Grid"  # filled in: it was empty
    assert updates["c-url"]["organisation"] == "SolarLab"
    assert all(u["source"] == "linkedin" for u in updates.values())


def test_the_file_fills_gaps_and_reports_disagreements_without_overwriting() -> None:
    profile = _profile(("c1", ContactSpec(name="Maya Lin", emails=("maya@a.example",), organisation="Acme")))
    plan = _plan(
        profile, ImportedContact("line 5", "Maya Lin", ("maya@a.example", "maya@b.example"), "Globex")
    )
    assert plan.known == []
    [conflict] = plan.conflicts
    assert conflict.contact_ids == ("c1",)
    assert conflict.differences == ("organisation: known 'Acme', file 'Globex'",)
    [update] = plan.events
    assert update.data["emails"] == ["maya@a.example", "maya@b.example"]
    assert "organisation" not in update.data


def test_a_record_matching_two_known_contacts_is_a_conflict_and_changes_nothing() -> None:
    profile = _profile(
        ("c1", ContactSpec(name="Maya Lin", emails=("maya@a.example",))),
        ("c2", ContactSpec(name="Maya L.", emails=("maya@b.example",))),
    )
    plan = _plan(
        profile, ImportedContact("card 2 (line 9)", "Maya Lin", ("maya@a.example", "maya@b.example"))
    )
    assert plan.events == []
    assert [c.contact_ids for c in plan.conflicts] == [("c1", "c2")]


def test_lines_of_one_file_about_the_same_person_become_one_contact() -> None:
    plan = _plan(
        _profile(),
        ImportedContact("line 2", "Priya Natarajan", ("priya@carbonwise.example",), "Carbonwise"),
        ImportedContact("line 3", "Priya N.", ("priya@carbonwise.example", "priya@home.example")),
        ImportedContact("line 4", "Priya Natarajan", ("p@x.example",), "Carbonwise"),  # same name, same org
        source="google",
    )
    [(contact_id, record)] = plan.new
    assert record.emails == ("priya@carbonwise.example", "priya@home.example", "p@x.example")
    assert contact_id == "id-email:priya@carbonwise.example"
    [added] = plan.events
    assert added.data["source"] == "google"


def test_people_the_file_cannot_tell_apart_still_get_distinct_ids() -> None:
    plan = _plan(
        _profile(), ImportedContact("card 1", "Sam"), ImportedContact("card 2", "Sam"), source="vcard"
    )
    assert [c for c, _ in plan.new] == ["id-name:sam", "id-name:sam#2"]


def test_a_reimport_decides_nothing() -> None:
    profile = _profile()
    records = [
        ImportedContact(
            "line 5", "Maya Lin", (), "Green Grid", "PM", "linkedin.com/in/mayalin", date(2019, 3, 14)
        ),
        ImportedContact("line 6", "Sam", ()),  # nothing to match on but its deterministic id
    ]
    for event in _plan(profile, *records).events:
        profile.apply(event.type, event.data)
    again = _plan(profile, *records)
    assert again.events == []
    assert again.summary() == {"new": 0, "known": 2, "conflicting": 0, "events": 0}


def test_a_bad_email_names_its_line_and_the_whole_plan_fails() -> None:
    with pytest.raises(DomainError, match="line 7: invalid email address 'nope'"):
        _plan(
            _profile(),
            ImportedContact("line 6", "A", ("a@x.example",)),
            ImportedContact("line 7", "B", ("nope",)),
        )


def test_imported_contacts_know_since_when_and_where_from() -> None:
    profile = _profile()
    record = ImportedContact(
        "line 5", "Maya Lin", (), "Green Grid", None, "linkedin.com/in/mayalin", date(2019, 3, 14)
    )
    for event in _plan(profile, record).events:
        profile.apply(event.type, event.data)
    [maya] = profile.contacts.values()
    assert maya.known_since == date(2019, 3, 14)
    assert maya.sources == (("linkedin", NOW),)
    assert not maya.assessed


def test_old_contact_payloads_without_the_new_fields_still_fold() -> None:
    """Schema version 1 payloads written before role/source/helps_with existed need no upcaster."""
    profile = _profile()
    old = {
        "contact_id": "c0",
        "name": "Old Timer",
        "emails": [],
        "tags": ["x"],
        "strength": 3,
        "at": NOW.isoformat(),
    }
    profile.apply(ev.CONTACT_ADDED, old)
    profile.apply(ev.CONTACT_UPDATED, {"contact_id": "c0", "cadence_days": 30, "at": NOW.isoformat()})
    contact = profile.contacts["c0"]
    assert (contact.strength, contact.role, contact.sources, contact.helps_with) == (3, None, (), ())


def test_ratings_keep_their_history_and_name_real_aspirations() -> None:
    profile = _profile(("c1", ContactSpec(name="Maya Lin")))
    profile.apply(
        ev.ASPIRATION_ADDED, {"aspiration_id": "a1", "text": "t", "kind": "new-job", "at": NOW.isoformat()}
    )
    for strength in (2, 4):
        for event in assess_contact(profile, "c1", Rating(strength, ("mentor",), 30, ("a1",)), NOW):
            profile.apply(event.type, event.data)
    maya = profile.contacts["c1"]
    assert [s for _, s in maya.strengths] == [2, 4]
    assert (maya.tags, maya.cadence_days, maya.helps_with) == (("mentor",), 30, ("a1",))
    with pytest.raises(DomainError, match="no aspiration with id 'a9'"):
        assess_contact(profile, "c1", Rating(3, (), None, ("a9",)), NOW)
    with pytest.raises(DomainError, match="out of range"):
        assess_contact(profile, "c1", Rating(6), NOW)
