"""One layout for every dashboard page (the main navigation, no page's variables shown as the
layout's warnings), and the network list at the scale people have: search, tag filter and sort."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from api.pages import network_list
from domain.people.contacts import Contact
from domain.people.network import ContactStanding
from domain.tracking.actions import Interactions
from service.app import App
from service.commands import ContactSpec
from service.people import contact_import
from service.people.contacts import add_contact, list_contacts
from tests.api.conftest import Clock, User
from tests.api.test_confirm_routes import plan_block
from tests.api.test_dashboard_pages import _signed_in
from tests.contact_exports import LINKEDIN

PAGES = ("/calendar", "/confirm", "/network", "/network/import", "/network/assess", "/network/gaps")


def test_every_page_has_the_main_navigation_and_only_its_own_warnings(client: TestClient, ann: User) -> None:
    _signed_in(client, ann)
    for path in (*PAGES, "/settings/updates"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert page.text.count('aria-label="Main"') == 1, path
        assert "Worth a look" not in page.text, path  # /calendar's refresh notes were shown as warnings
    calendar = client.get("/calendar").text
    assert "Google Calendar refreshes" in calendar  # the notes are still there, where they belong


def _names(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/network/[^"]+">([^<]+)</a>', html)


def test_network_search_tag_and_sort_happen_on_the_server(
    client: TestClient, ann: User, service: App
) -> None:
    _signed_in(client, ann)
    assert "Import your LinkedIn connections" in client.get("/network").text  # the empty state
    for name, org, tags, strength in (
        ("Maya Lin", "Green Grid", ("climate",), 5),
        ("Tomás Ruiz", "SolarLab", ("climate", "founder"), 3),
        ("Ann Okafor", "Carbonwise", ("recruiter",), 4),
    ):
        add_contact(
            service, ann.user_id, ContactSpec(name=name, organisation=org, tags=tags, strength=strength)
        )
    assert _names(client.get("/network").text) == ["Maya Lin", "Ann Okafor", "Tomás Ruiz"]  # strongest first
    assert _names(client.get("/network", params={"sort": "name"}).text) == [
        "Ann Okafor",
        "Maya Lin",
        "Tomás Ruiz",
    ]
    assert _names(client.get("/network", params={"q": "solarlab"}).text) == ["Tomás Ruiz"]
    assert _names(client.get("/network", params={"q": "grid maya"}).text) == ["Maya Lin"]
    tagged = client.get("/network", params={"tag": "climate", "sort": "name"}).text
    assert _names(tagged) == ["Maya Lin", "Tomás Ruiz"] and "2 of 3 match." in tagged
    assert "Nobody matches" in client.get("/network", params={"q": "nobody-here"}).text
    wrong = client.get("/network", params={"sort": "age"})
    assert wrong.status_code == 422 and "sort by one of: strength, last, overdue, name" in wrong.text
    assert len(_names(wrong.text)) == 3  # the list still shows, in the usual order
    long = client.get("/network", params={"q": "x" * 201})
    assert long.status_code == 422 and "at most 200 characters" in long.text


def _standing(name: str, org: str, tags: list[str], overdue: int | None, i: int) -> ContactStanding:
    contact = Contact(f"c{i}", name, datetime(2026, 1, 1, tzinfo=UTC), organisation=org, tags=tuple(tags))
    return ContactStanding(contact, Interactions(), overdue)


WORD = st.text(alphabet="abcé ", min_size=0, max_size=6)
STANDINGS = st.lists(
    st.tuples(WORD, WORD, st.lists(st.sampled_from(["x", "y"]), max_size=2), st.none() | st.integers(1, 9)),
    max_size=8,
)


@given(STANDINGS, WORD, st.sampled_from(["", "x", "y"]), st.sampled_from(list(network_list.SORTS)))
def test_the_list_shows_exactly_the_matching_contacts_in_the_asked_order(
    rows: list[tuple[str, str, list[str], int | None]], q: str, tag: str, sort: str
) -> None:
    everyone = [_standing(*row, i) for i, row in enumerate(rows)]
    wanted = network_list.listing({"q": q, "tag": tag, "sort": sort})
    shown = network_list.select(everyone, {}, wanted)
    words = q.casefold().split()
    expected = [
        s
        for s in everyone
        if all(
            w in f"{s.contact.name} {s.contact.organisation} {' '.join(s.contact.tags)}".casefold()
            for w in words
        )
        and (not tag or tag in s.contact.tags)
    ]
    assert sorted(id(s) for s in shown) == sorted(id(s) for s in expected)
    if sort == "name":
        assert [s.contact.name.casefold() for s in shown] == sorted(s.contact.name.casefold() for s in shown)
    if sort == "overdue":
        late = [s.overdue_days or 0 for s in shown]
        assert late == sorted(late, reverse=True)
    if sort == "strength":
        assert shown == [s for s in everyone if s in shown]  # the service's order, kept


def test_home_shows_the_next_seven_days_of_planned_blocks_and_keeps_them_out_of_recent_activity(
    client: TestClient, ann: User, service: App, clock: Clock
) -> None:
    _signed_in(client, ann)
    for days in (3, 1, 9, -2):  # soonest first on the page; a week out and the past are not "coming up"
        plan_block(service, ann, clock() + timedelta(days=days))
    home = client.get("/").text
    coming = re.search(r'<ul class="recent coming-up">(.*?)</ul>', home, re.S)
    assert coming, "no Coming up list"
    times = re.findall(r"<time[^>]*>([^<]+)</time>", coming.group(1))
    assert times == ["Thu 26 Nov, 12:00–14:00", "Sat 28 Nov, 12:00–14:00"]
    assert ">Planned<" not in home  # the plans no longer crowd the recent activity


def test_the_contact_page_shows_what_the_import_brought(client: TestClient, ann: User, service: App) -> None:
    _signed_in(client, ann)
    contact_import.import_contacts(service, ann.user_id, LINKEDIN.encode(), apply=True, source="linkedin")
    maya = next(c for c, _ in list_contacts(service, ann.user_id) if c.name == "Maya Lin")
    page = client.get(f"/network/{maya.contact_id}").text
    assert "Head of Product at Green Grid, Inc." in page
    assert (
        '<a href="https://www.linkedin.com/in/mayalin" rel="noopener noreferrer">Maya Lin on LinkedIn</a>'
        in page
    )
    assert "<dt>Known since</dt><dd>Thu 14 Mar 2019</dd>" in page


def test_the_import_preview_does_not_claim_an_import_before_one_happened(
    client: TestClient, ann: User, service: App
) -> None:
    csrf = _signed_in(client, ann)
    preview = client.post(
        "/network/import", data={"csrf": csrf}, files={"file": ("Connections.csv", LINKEDIN.encode())}
    )
    assert preview.status_code == 200 and "Preview of your LinkedIn file" in preview.text
    refused = client.post("/network/import", data={"csrf": csrf, "content": " "})
    assert refused.status_code == 422 and "choose an export file" in refused.text
    for page in (preview.text, refused.text):
        assert "Imported" not in page and "Rate them now" not in page
    assert "Imported 0 new contacts" in client.get("/network/import", params={"imported": "0"}).text
