"""Before and after a meeting, end to end (issue 28): a real calendar source read by the real
fetcher, a meeting tomorrow with someone the network knows gets a brief (API and service), one
yesterday gets the after-meeting nudge; a promise noted with an answer shows in the brief and as a
keep-promise item until it is done; the new people met are added once; another person's brief is
a 404."""

from __future__ import annotations

from datetime import timedelta

from domain.decisions import ContactSpec
from service import ical
from service.access import accounts
from service.people import contacts, next_actions
from service.tracking import actions
from tests.api.conftest import User
from tests.api.test_dashboard import _csrf, sign_in
from tests.api.test_dashboard_pages import _no_machine_words
from tests.ical.calendar_server import CalendarServer, Route
from tests.ical.conftest import NOW, Site
from tests.ical.ics import vcalendar, vevent

CY = "ATTENDEE;PARTSTAT=ACCEPTED;CN=Cy Moss:mailto:cy@moss.org"
# NOW is Wednesday 2026-11-25 11:00 UTC (12:00 in Berlin).
SYNC = vevent("s1@x", "20261126T090000Z", "20261126T100000Z", "Project sync", extra=CY)
LUNCH = vevent("l1@x", "20261124T110000Z", "20261124T120000Z", "Lunch", extra=CY)
CANCELLED = vevent("c1@x", "20261126T150000Z", "20261126T160000Z", "Call", extra=CY + "\r\nSTATUS:CANCELLED")
STRANGERS_ONLY = vevent("d1@x", "20261126T070000Z", "20261126T080000Z", "Dentist")


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _kinds(site: Site) -> list[tuple[str, str]]:
    return [(i.kind, i.reason) for i in next_actions.next_items(site.app, site.user_id)]


def test_a_brief_before_a_nudge_after_and_a_promise_until_kept(site: Site, server: CalendarServer) -> None:
    app, user_id = site.app, site.user_id
    cy = contacts.add_contact(
        app,
        user_id,
        ContactSpec(
            name="Cy Moss",
            emails=("cy@moss.org",),
            organisation="Moss Labs",
            how_met="met at PyCon",
            needs=("a designer",),
        ),
    )
    actions.log_action(
        app,
        user_id,
        "reach-out",
        NOW - timedelta(days=20),
        title="Intro call with Cy",
        note="wants to hire in spring",
        contact_ids=(cy,),
    )
    server.routes["/cal.ics"] = Route(vcalendar(SYNC, LUNCH, CANCELLED, STRANGERS_ONLY))
    source = ical.add_source(app, site.settings, user_id, server.url("/cal.ics"))
    assert ical.sync_source(app, site.settings, source.source_id).status == "ok"

    found = next_actions.briefs(app, user_id)
    assert [b.meeting.title for b in found] == ["Project sync"]  # cancelled and strangers-only: none
    brief = found[0]
    assert brief.when == "tomorrow at 10:00" and brief.new_people == ("bo@other.org",)
    [person] = brief.people
    assert (person.name, person.who, person.needs) == ("Cy Moss", "Moss Labs; met at PyCon", ("a designer",))
    assert [(i.title, i.note) for i in person.last] == [("Intro call with Cy", "wants to hire in spring")]
    sync_id = brief.meeting.meeting_id

    items = next_actions.next_items(app, user_id)
    assert [i.kind for i in items][:2] == ["brief", "after-meeting"]
    assert items[0].reason == (
        f"“Project sync” with Cy Moss is tomorrow at 10:00: read the brief (`netgoals next brief {sync_id}`)."
    )
    assert items[1].reason == (
        "“Lunch” was yesterday at 12:00: follow up with Cy Moss, add the 1 new person you met, "
        "note what you promised."
    )

    # Done after lunch: the follow-up is logged with Cy, and a promise is noted.
    answered = next_actions.answer(app, user_id, items[1].item_id, "done", promises=("send Cy the deck",))
    assert answered["action_id"] and len(answered["promise_ids"]) == 1
    promise_item = f"promise:{answered['promise_ids'][0]}"
    after = [(i.item_id, i.reason) for i in next_actions.next_items(app, user_id)]
    assert after[:2] == [
        (items[0].item_id, items[0].reason),  # a brief takes no one's place in the list
        (promise_item, "You promised Cy Moss “send Cy the deck” today: keep it, then mark it done."),
    ]
    assert next_actions.meeting_brief(app, user_id, sync_id).people[0].promises[0].text == "send Cy the deck"
    next_actions.answer(app, user_id, promise_item, "done")
    assert promise_item not in [i.item_id for i in next_actions.next_items(app, user_id)]
    assert next_actions.meeting_brief(app, user_id, sync_id).people[0].promises == ()
    site.clock.advance(days=2)  # the day after the sync: its nudge
    assert [i.item_id for i in next_actions.next_items(app, user_id)][:1] == [f"after:{sync_id}"]

    # The people met at lunch, added once.
    lunch = next(m for m in _meetings(site) if m != sync_id)
    assert [name for name, _ in next_actions.add_people(app, user_id, lunch)] == ["Bo"]
    assert next_actions.add_people(app, user_id, lunch) == []


def _meetings(site: Site) -> list[str]:
    from integrations.storage.database import read_transaction
    from integrations.storage.meetings import meetings

    with read_transaction(site.app.engine) as connection:
        return [m.meeting_id for m in meetings(connection, site.user_id) if m.going]


def test_briefs_over_the_api_are_the_callers_only(site: Site, server: CalendarServer) -> None:
    app, user_id = site.app, site.user_id
    contacts.add_contact(app, user_id, ContactSpec(name="Cy Moss", emails=("cy@moss.org",)))
    server.routes["/cal.ics"] = Route(vcalendar(SYNC, LUNCH))
    source = ical.add_source(app, site.settings, user_id, server.url("/cal.ics"))
    ical.sync_source(app, site.settings, source.source_id)

    listed = site.client.get("/api/v1/next/briefs", headers=_auth(site.token))
    assert listed.status_code == 200, listed.text
    [brief] = listed.json()
    assert brief["title"] == "Project sync" and [p["name"] for p in brief["people"]] == ["Cy Moss"]
    one = site.client.get(f"/api/v1/next/briefs/{brief['meeting_id']}", headers=_auth(site.token))
    assert one.status_code == 200 and one.json() == brief

    other = accounts.add_user(app, "bob@example.com", "Europe/Berlin")
    theirs = site.client.get(f"/api/v1/next/briefs/{brief['meeting_id']}", headers=_auth(other.token))
    assert theirs.status_code == 404
    adding = f"/api/v1/next/briefs/{brief['meeting_id']}/add-people"
    assert site.client.post(adding, headers=_auth(other.token)).status_code == 404
    added = site.client.post(adding, headers=_auth(site.token))
    assert added.status_code == 200 and [a["name"] for a in added.json()] == ["Bo"]
    assert site.client.post(adding, headers=_auth(site.token)).json() == []
    assert site.client.get("/api/v1/next/briefs", headers=_auth(other.token)).json() == []
    assert site.client.get(f"/api/v1/next/briefs/{brief['meeting_id']}").status_code == 401
    too_long = site.client.get("/api/v1/next/briefs/" + "x" * 41, headers=_auth(site.token))
    assert too_long.status_code == 422

    # The dashboard's Today shows the brief, and the nudge after lunch takes a promise with "Done".
    sign_in(site.client, User(user_id, "ada@example.com", site.token))
    page = site.client.get("/")
    assert page.status_code == 200
    assert "Before your meetings" in page.text and "“Project sync” tomorrow at 10:00" in page.text
    assert "What did you promise?" in page.text
    _no_machine_words(page.text)
    after = next(i for i in next_actions.next_items(app, user_id) if i.kind == "after-meeting")
    form = {"csrf": _csrf(page.text), "answer": "done", "promise": "send Cy the deck"}
    done = site.client.post(f"/web/next/{after.item_id}", data=form, follow_redirects=False)
    assert done.status_code == 303
    assert "You promised Cy Moss “send Cy the deck” today" in site.client.get("/").text
    site.client.cookies.clear()
    sign_in(site.client, User(other.user.user_id, "bob@example.com", other.token))
    assert "Project sync" not in site.client.get("/").text
