"""Importing export files into a real store (SQLite and PostgreSQL): one all-or-nothing append,
merging people already known, re-imports adding nothing — and rating contacts as events."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine

from domain.decisions import ContactSpec, Rating
from domain.errors import DomainError
from service.access import accounts
from service.app import App
from service.people import network_assess, network_gaps
from service.people.contact_import import import_contacts
from service.people.contacts import list_contacts, network, update_contact
from service.tracking import goals
from tests.contact_exports import GOOGLE, LINKEDIN, VCARDS

MakeApp = Callable[[Engine], App]


def _user(app: App) -> str:
    return accounts.add_user(app, "ann@example.com", "Europe/Berlin").user.user_id


def _names(app: App, user_id: str) -> list[str]:
    return sorted(c.name for c, _ in list_contacts(app, user_id))


def test_import_merges_known_people_and_a_reimport_adds_nothing(engine: Engine, make_app: MakeApp) -> None:
    app = make_app(engine)
    user_id = _user(app)
    preview = import_contacts(app, user_id, LINKEDIN.encode(), apply=False)
    assert preview.plan.summary() == {"new": 3, "known": 0, "conflicting": 0, "events": 3}
    assert list_contacts(app, user_id) == []  # a preview appends nothing

    first = import_contacts(app, user_id, LINKEDIN.encode(), apply=True)
    assert first.appended == 3
    maya = next(c for c, _ in list_contacts(app, user_id) if c.name == "Maya Lin")
    assert maya.known_since == date(2019, 3, 14)
    assert [kind for kind, _ in maya.sources] == ["linkedin"]

    head = app.store.head_position()
    again = import_contacts(app, user_id, LINKEDIN.encode(), apply=True)
    assert (again.appended, app.store.head_position()) == (0, head)
    assert again.plan.summary() == {"new": 0, "known": 3, "conflicting": 0, "events": 0}

    # The phone's vCards know Maya at "Green Grid" (LinkedIn said "Green Grid, Inc."): the same person.
    cards = import_contacts(app, user_id, VCARDS.encode(), apply=True)
    assert cards.plan.summary()["new"] == 2
    assert _names(app, user_id) == ["Ann Okafor", "Maya Lin", "Tomás Ruiz", "Zoë Ødegaard", "李小龍"]
    maya = next(c for c, _ in list_contacts(app, user_id) if c.name == "Maya Lin")
    assert maya.emails == ("maya@greengrid.example",)
    assert [kind for kind, _ in maya.sources] == ["linkedin", "vcard"]
    head = app.store.head_position()
    assert import_contacts(app, user_id, VCARDS.encode(), apply=True).appended == 0
    assert app.store.head_position() == head
    # LinkedIn connections of years ago are not new this week; the phone's contacts are.
    assert sorted(s.contact.name for s in network(app, user_id).new_this_week) == ["Zoë Ødegaard", "李小龍"]


# People a file knows by name alone: no email, no profile URL, some not even a company — the ids
# derived from the file are all that matches them again.
NAMES_ONLY = (
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    "Lee,Ann,,,,,\r\n"
    "Sam,Park,,,,,\r\n"
    "Sam,Park,,,,,\r\n"  # two people the file cannot tell apart
    "Rui,Costa,,,Acme,CTO,\r\n"
)


def test_a_later_export_of_people_without_email_adds_only_the_new_one(
    engine: Engine, make_app: MakeApp
) -> None:
    """Not the same bytes (so not the file's idempotency key): the same people must get the same ids."""
    app = make_app(engine)
    user_id = _user(app)
    assert import_contacts(app, user_id, NAMES_ONLY.encode(), apply=True).appended == 4
    # Edited since: a new name and company take away every key the file could match on.
    rui = next(c for c, _ in list_contacts(app, user_id) if c.name == "Rui Costa")
    update_contact(app, user_id, rui.contact_id, ContactSpec(name="Rui C.", organisation="Elsewhere"))
    for later in (NAMES_ONLY.replace("\r\n", "\n"), NAMES_ONLY + "Kim,Yoon,,,,,\r\n"):
        import_contacts(app, user_id, later.encode(), apply=True)
    assert _names(app, user_id) == ["Kim Yoon", "Lee Ann", "Rui C.", "Sam Park", "Sam Park"]


def test_a_broken_line_imports_nothing_at_all(engine: Engine, make_app: MakeApp) -> None:
    app = make_app(engine)
    user_id = _user(app)
    head = app.store.head_position()
    many = "".join(f"Person,{i},,p{i}@example.com,Acme,Engineer,01 Jan 2020\r\n" for i in range(300))
    broken = LINKEDIN + many + "Bo,Chen,,not-an-email,Acme,Engineer,01 Jan 2020\r\n"
    with pytest.raises(DomainError, match="line 309: invalid email address 'not-an-email'"):
        import_contacts(app, user_id, broken.encode(), apply=True)
    assert app.store.head_position() == head
    assert list_contacts(app, user_id) == []


def test_two_identical_imports_at_once_add_each_person_once(engine: Engine, make_app: MakeApp) -> None:
    apps = [make_app(engine), make_app(engine)]
    user_id = _user(apps[0])
    errors: list[BaseException] = []

    def run(app: App) -> None:
        try:
            import_contacts(app, user_id, GOOGLE.encode(), apply=True)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _names(apps[0], user_id) == ["Björn Åkesson", "Priya Natarajan"]


def test_ratings_are_events_and_skipped_contacts_come_back(engine: Engine, make_app: MakeApp) -> None:
    app = make_app(engine)
    user_id = _user(app)
    aspiration = goals.add_aspiration(
        app, user_id, "Move into a product role at a climate startup", "new-job"
    )
    import_contacts(app, user_id, LINKEDIN.encode(), apply=True)
    card = network_assess.next_card(app, user_id)
    assert card is not None and (card.contact.name, card.remaining, card.position) == ("Ann Okafor", 3, 1)
    skipped = card.contact.contact_id
    card = network_assess.next_card(app, user_id, after=skipped, skipped=frozenset({skipped}))
    assert card is not None and card.contact.name == "Maya Lin"
    network_assess.rate_contact(
        app, user_id, card.contact.contact_id, Rating(3, ("mentor",), 30, (aspiration,))
    )
    network_assess.rate_contact(
        app, user_id, card.contact.contact_id, Rating(5, ("mentor",), 30, (aspiration,))
    )
    maya = next(c for c, _ in list_contacts(app, user_id) if c.name == "Maya Lin")
    assert [s for _, s in maya.strengths] == [3, 5]  # the re-assessment kept the first rating
    assert maya.helps_with == (aspiration,)
    assert [c.name for c, _ in network_assess.unrated(app, user_id)] == ["Ann Okafor", "Tomás Ruiz"]
    card = network_assess.next_card(app, user_id, after=maya.contact_id, skipped=frozenset({skipped}))
    assert card is not None and card.contact.name == "Tomás Ruiz"


def test_a_gap_sets_its_goal_once_linked_to_the_aspiration(engine: Engine, make_app: MakeApp) -> None:
    app = make_app(engine)
    user_id = _user(app)
    aspiration = goals.add_aspiration(
        app, user_id, "Move into a product role at a climate startup", "new-job"
    )
    [view] = network_gaps.by_aspiration(app, user_id)
    assert [g.kind for g in view.gaps] == ["no-contacts", "no-mentor", "no-one-at-kind"]
    goal_id = network_gaps.set_gap_goal(app, user_id, aspiration, "no-one-at-kind")
    [goal] = goals.list_goals(app, user_id)
    assert (goal.goal_id, goal.aspiration_id, goal.title) == (
        goal_id,
        aspiration,
        "Reach out to one new contact at a climate startup per week",
    )
    head = app.store.head_position()
    assert network_gaps.set_gap_goal(app, user_id, aspiration, "no-one-at-kind") == goal_id
    assert app.store.head_position() == head
    with pytest.raises(DomainError, match="no 'gone-quiet' gap"):
        network_gaps.set_gap_goal(app, user_id, aspiration, "gone-quiet")
