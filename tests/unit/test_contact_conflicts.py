"""Import conflicts as a pure decision: where a file disagrees with a known contact, the person's
choice says which value stands — keep (yours), file (the file's), or newer (a vCard's REV against
the contact's last change, folded from the log)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.decisions import ContactSpec, Rating, add_contact, assess_contact, register, update_contact
from domain.decisions.contact_conflicts import ON_CONFLICT, differences, file_is_newer, resolve
from domain.decisions.contact_import import plan_import
from domain.decisions.profile import Profile
from domain.errors import DomainError
from domain.event_types import events as ev
from domain.people.contact_matching import ImportedContact

ADDED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
EDITED = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
EMAIL = "maya@grid.example"


def _profile(edited: bool = False, rated: bool = False) -> Profile:
    profile = Profile("u1")
    registered = register("ann@example.com", "Europe/Berlin", ADDED)
    profile.apply(registered.type, registered.data)
    spec = ContactSpec(name="Maya Lin", emails=(EMAIL,), organisation="Green Grid", role="Head of Product")
    added = add_contact(profile, "c1", spec, ADDED)
    profile.apply(added.type, added.data)
    if edited:  # the person corrected the position by hand
        for event in update_contact(profile, "c1", ContactSpec(role="VP Product"), EDITED):
            profile.apply(event.type, event.data)
    if rated:  # a rating later still: it changes no detail an import compares
        for event in assess_contact(profile, "c1", Rating(strength=4), EDITED + timedelta(days=30)):
            profile.apply(event.type, event.data)
    return profile


def _card(revised: datetime | None, organisation: str = "SolarLab") -> ImportedContact:
    return ImportedContact("card 1 (line 1)", "Maya Lin", (EMAIL,), organisation, "CTO", revised=revised)


def _plan(profile: Profile, record: ImportedContact, on_conflict: str):  # type: ignore[no-untyped-def]
    return plan_import(profile, [record], "vcard", NOW, lambda k: f"id-{k}", on_conflict)


def _updated(plan) -> dict:  # type: ignore[no-untyped-def,type-arg]
    [event] = [e for e in plan.events if e.type == ev.CONTACT_UPDATED]
    return event.data  # type: ignore[no-any-return]


def test_keep_reports_the_conflict_and_changes_nothing_it_disagrees_about() -> None:
    plan = _plan(_profile(), _card(NOW), "keep")
    [conflict] = plan.conflicts
    assert conflict.taken == () and conflict.file_newer is True
    assert conflict.differences == (
        "organisation: known 'Green Grid', file 'SolarLab'",
        "position: known 'Head of Product', file 'CTO'",
    )
    assert {"organisation", "role"}.isdisjoint(_updated(plan))  # only the source is added


def test_file_takes_the_files_values() -> None:
    plan = _plan(_profile(), _card(None), "file")
    assert plan.conflicts[0].taken == ("organisation", "role")
    data = _updated(plan)
    assert (data["organisation"], data["role"], data["source"]) == ("SolarLab", "CTO", "vcard")


def test_newer_takes_the_card_only_when_it_changed_after_the_contacts_last_change() -> None:
    before_edit, after_edit = EDITED - timedelta(days=1), EDITED + timedelta(days=1)
    edited = _profile(edited=True, rated=True)
    assert edited.contacts["c1"].details_changed_at == EDITED  # the rating did not move it
    assert _plan(edited, _card(before_edit), "newer").conflicts[0].taken == ()
    assert _plan(edited, _card(after_edit), "newer").conflicts[0].taken == ("organisation", "role")
    # never edited: the contact's details date from when it was added
    assert _plan(_profile(), _card(before_edit), "newer").conflicts[0].taken == ("organisation", "role")
    # no REV (every CSV export) and a tie: yours stay
    assert _plan(edited, _card(None), "newer").conflicts[0].taken == ()
    assert _plan(edited, _card(EDITED), "newer").conflicts[0].taken == ()


def test_an_unknown_choice_is_refused_naming_the_choices() -> None:
    with pytest.raises(DomainError, match=r"unknown conflict choice 'theirs': use keep .* file .* newer"):
        _plan(_profile(), _card(None), "theirs")


def test_a_person_matching_two_contacts_is_left_alone_whatever_the_choice() -> None:
    profile = _profile()
    other = add_contact(profile, "c2", ContactSpec(name="Maya Lin", organisation="SolarLab"), ADDED)
    profile.apply(other.type, other.data)
    plan = _plan(profile, _card(NOW), "file")
    assert plan.events == [] and plan.conflicts[0].contact_ids == ("c1", "c2")


_TEXT = st.sampled_from(["Green Grid", "SolarLab", "Green Grid, Inc.", "green grid", None])
_ROLE = st.sampled_from(["Head of Product", "CTO", "head of product", None])
_WHEN = st.one_of(st.none(), st.integers(-400, 400).map(lambda d: EDITED + timedelta(days=d)))


@given(
    organisation=_TEXT,
    role=_ROLE,
    revised=_WHEN,
    edited=st.booleans(),
    on_conflict=st.sampled_from(ON_CONFLICT),
)
def test_the_choice_decides_every_difference_and_a_second_import_finds_nothing_new(
    organisation: str | None, role: str | None, revised: datetime | None, edited: bool, on_conflict: str
) -> None:
    profile = _profile(edited=edited)
    known = profile.contacts["c1"]
    record = ImportedContact("card 1 (line 1)", "Maya Lin", (EMAIL,), organisation, role, revised=revised)
    found = differences(known, record)
    plan = _plan(profile, record, on_conflict)
    for event in plan.events:
        profile.apply(event.type, event.data)
    after = profile.contacts["c1"]
    take = on_conflict == "file" or (on_conflict == "newer" and file_is_newer(known, record) is True)
    assert resolve(known, record, found, on_conflict) == ({d.field: d.file for d in found} if take else {})
    for difference in found:  # the value that stands is exactly the one the choice names
        assert getattr(after, difference.field) == (difference.file if take else difference.known)
    assert [c.taken for c in plan.conflicts] == (
        [tuple(d.field for d in found)] if found and take else [()] * bool(found)
    )
    # what the file could fill in or take is now there: the same import again appends nothing
    again = _plan(profile, record, on_conflict)
    assert again.events == []
    assert bool(again.conflicts) == bool(found and not take)
