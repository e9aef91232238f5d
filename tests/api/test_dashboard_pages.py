"""The dashboard's own pages over HTTP: a custom goal and its page, revising, linking, pausing and
archiving it; aspirations; the network and a contact; settings; the history with its filters,
retracting, export and import. Every flow goes through the real forms with the session's CSRF token."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from domain.event_types.events import ALL_EVENT_TYPES
from service.app import App
from service.commands import ContactSpec
from service.people.contacts import add_contact
from service.tracking import actions, goals
from tests.api.conftest import Clock, User, add_user
from tests.api.test_dashboard import _csrf, sign_in

ID = r"[0-9a-f-]{36}"


def _signed_in(client: TestClient, user: User) -> str:
    sign_in(client, user)
    return _csrf(client.get("/").text)


def _readable(html: str) -> str:
    """The text a person reads: no tags, no attribute values."""
    return re.sub(r"<[^>]+>", " ", html)


def _no_machine_words(html: str) -> None:
    text = _readable(html)
    for name in ALL_EVENT_TYPES:
        assert name not in text, name
    for slug in ("attend-event", "reach-out", "meet-mentor", "--contact", "--target", "on-track"):
        assert slug not in text, slug
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text), "a raw ISO time"


def _custom_goal(client: TestClient, csrf: str, **fields: str) -> str:
    data = {"title": "Coffee with other teams", "action": "follow-up", "target": "2", "frame": "week"}
    response = client.post("/web/goals/custom", data={**data, **fields, "csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303, response.text
    found = re.match(rf"/goals/({ID})\?done=goal", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def test_custom_goal_page_shows_a_year_calendar_and_says_when_there_is_one_period(
    client: TestClient, ann: User, clock: Clock
) -> None:
    csrf = _signed_in(client, ann)
    goal_id = _custom_goal(client, csrf)
    page = client.get(f"/goals/{goal_id}?done=goal").text
    assert "Goal added." in page
    assert "Coffee with other teams" in page
    assert "first week of" in page and "calendar" in page  # one period: said, not drawn as eleven
    assert page.count('class="cell ') == 1
    clock.advance(days=13)  # Wednesday 25 November to Tuesday 8 December: three weeks
    page = client.get(f"/goals/{goal_id}").text
    assert page.count('class="cell ') == 3
    assert "3 weeks: " in page and "2 missed" in page
    _no_machine_words(page)


def test_a_start_in_the_past_warns_once_on_the_next_page(client: TestClient, ann: User) -> None:
    csrf = _signed_in(client, ann)
    goal_id = _custom_goal(client, csrf, frame="month", start="2026-01-10")
    page = client.get(f"/goals/{goal_id}").text
    assert "Worth a look" in page and "10 earlier months count too" in page
    assert "Worth a look" not in client.get(f"/goals/{goal_id}").text  # shown once


def test_edit_goal_revises_links_and_sets_planning_in_one_change(
    client: TestClient, ann: User, service: App
) -> None:
    csrf = _signed_in(client, ann)
    aspiration_id = goals.add_aspiration(service, ann.user_id, "Move into climate tech", "new-job")
    goal_id = _custom_goal(client, csrf)
    before = service.store.head_position()
    saved = client.post(
        f"/goals/{goal_id}/edit",
        data={
            "csrf": csrf,
            "title": "Coffee across teams",
            "target": "3",
            "aspiration_id": aspiration_id,
            "duration": "30",
            "days": ["tue", "thu"],
            "earliest": "09:00",
            "latest": "11:00",
            "keywords": "coffee, lunch",
            "domains": "",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("done=goal-saved")
    types = [h["type"] for h in actions.history(service, ann.user_id, limit=3)]
    assert sorted(types) == ["goal.linked", "goal.preferences-set", "goal.revised"]
    assert service.store.head_position() == before + 3
    goal = next(g for g in goals.list_goals(service, ann.user_id) if g.goal_id == goal_id)
    assert (goal.title, goal.target, goal.aspiration_id) == ("Coffee across teams", 3, aspiration_id)
    assert goal.preferences.duration_minutes == 30 and goal.preferences.days == (1, 3)
    page = client.get(f"/goals/{goal_id}").text
    assert "Goal linked" in page and "Planning changed" in page and "Goal revised" in page
    assert "serves “Move into climate tech”" in page
    # an impossible plan changes nothing at all, and says why on the same page
    head = service.store.head_position()
    bad = client.post(
        f"/goals/{goal_id}/edit",
        data={
            "csrf": csrf,
            "title": "x",
            "target": "4",
            "duration": "300",
            "earliest": "09:00",
            "latest": "10:00",
        },
    )
    assert bad.status_code == 422 and "does not fit" in bad.text
    assert service.store.head_position() == head


def test_pause_resume_and_archive_keep_and_show_the_history(client: TestClient, ann: User) -> None:
    csrf = _signed_in(client, ann)
    goal_id = _custom_goal(client, csrf)
    assert client.post(f"/goals/{goal_id}/pause", data={"csrf": csrf}).status_code == 200
    page = client.get(f"/goals/{goal_id}").text
    assert "Resume the goal" in page and "Goal paused" in page
    twice = client.post(f"/goals/{goal_id}/pause", data={"csrf": csrf})
    assert twice.status_code == 422 and "already paused" in twice.text
    client.post(f"/goals/{goal_id}/resume", data={"csrf": csrf})
    confirm = client.get(f"/goals/{goal_id}/archive").text
    assert "Archive “Coffee with other teams”?" in confirm
    client.post(f"/goals/{goal_id}/archive", data={"csrf": csrf})
    page = client.get(f"/goals/{goal_id}").text
    assert "This goal is archived" in page
    for label in ("Goal set", "Goal paused", "Goal resumed", "Goal archived"):
        assert label in page
    _no_machine_words(page)


def test_aspirations_are_added_edited_and_linked(client: TestClient, ann: User, service: App) -> None:
    csrf = _signed_in(client, ann)
    client.post("/web/aspirations", data={"csrf": csrf, "text": "Find a mentor", "kind": "mentorship"})
    page = client.get("/aspirations").text
    aspiration_id = re.search(rf'action="/aspirations/({ID})/edit"', page).group(1)  # type: ignore[union-attr]
    client.post(
        f"/aspirations/{aspiration_id}/edit",
        data={"csrf": csrf, "text": "Find two mentors", "kind": "mentorship"},
    )
    goal_id = _custom_goal(client, csrf)
    linked = client.post(
        "/aspirations/link", data={"csrf": csrf, "goal_id": goal_id, "aspiration_id": aspiration_id}
    )
    assert linked.status_code == 200
    assert [a.text for a in goals.list_aspirations(service, ann.user_id)] == ["Find two mentors"]
    page = client.get("/aspirations").text
    assert "Find two mentors" in page and f'href="/goals/{goal_id}"' in page
    home = client.get("/").text
    assert re.search(r"<h2[^>]*>Find two mentors</h2>", home)  # the home page groups by aspiration


def test_network_and_contact_pages_with_reassessment(client: TestClient, ann: User, clock: Clock) -> None:
    csrf = _signed_in(client, ann)
    client.post(
        "/web/contacts", data={"csrf": csrf, "name": "Maya Lin", "strength": "2", "cadence_days": "7"}
    )
    page = client.get("/network").text
    contact_id = re.search(rf'href="/network/({ID})">Maya Lin', page).group(1)  # type: ignore[union-attr]
    client.post(
        "/web/actions",
        data={"csrf": csrf, "action": "reach-out", "day": "2026-11-24", "contact_id": contact_id},
    )
    clock.advance(days=12)  # the session lasts two weeks
    client.post(f"/network/{contact_id}/strength", data={"csrf": csrf, "strength": "4"})
    client.post(
        f"/network/{contact_id}/edit",
        data={"csrf": csrf, "name": "Maya Lin", "tags": "climate, data", "how_met": "Climate meetup"},
    )
    page = client.get("/network").text
    assert "6 days overdue" in page  # met on the 24th at noon, every 7 days; now the 7th at noon
    assert "climate, data" in page and "Climate meetup" in page
    assert "Tue 24 Nov 2026" in page  # the last interaction, as a day people read
    contact = client.get(f"/network/{contact_id}").text
    assert "Strength over time" in contact and "4 of 5" in contact and "2 of 5" in contact
    assert "Reached out" in contact  # the timeline holds the interaction
    _no_machine_words(contact)
    _no_machine_words(page)


def test_the_contact_page_edits_role_company_and_linkedin_and_refuses_what_is_not_linkedin(
    client: TestClient, ann: User, bob: User, service: App
) -> None:
    csrf = _signed_in(client, ann)
    client.post("/web/contacts", data={"csrf": csrf, "name": "Maya Lin"})
    contact_id = re.search(rf'href="/network/({ID})">Maya Lin', client.get("/network").text).group(1)  # type: ignore[union-attr]
    form = {"csrf": csrf, "name": "Maya Lin", "role": "Head of Product", "organisation": "Green Grid"}
    saved = client.post(
        f"/network/{contact_id}/edit", data={**form, "linkedin_url": "https://www.linkedin.com/in/MayaLin/"}
    )
    assert saved.status_code == 200
    page = client.get(f"/network/{contact_id}").text
    assert "Head of Product at Green Grid" in page
    assert 'href="https://www.linkedin.com/in/mayalin"' in page
    assert (
        'name="linkedin_url" type="url" maxlength="300" inputmode="url" value="https://www.linkedin.com/in/mayalin"'
        in page
    )
    head = service.store.head_position()
    for wrong in ("javascript:alert(1)", "ftp://linkedin.com/in/maya", "https://example.org/in/maya"):
        refused = client.post(f"/network/{contact_id}/edit", data={**form, "linkedin_url": wrong})
        assert refused.status_code == 422, wrong
        assert "is not a LinkedIn profile URL (linkedin.com/in/...)" in refused.text
    assert service.store.head_position() == head  # nothing changed
    resaved = client.post(  # the form sends back what it shows: nothing to change, nothing appended
        f"/network/{contact_id}/edit", data={**form, "linkedin_url": "https://www.linkedin.com/in/mayalin"}
    )
    assert resaved.status_code == 200 and service.store.head_position() == head
    cleared = client.post(f"/network/{contact_id}/edit", data={**form, "role": "", "linkedin_url": ""})
    assert cleared.status_code == 200
    assert "on LinkedIn" not in client.get(f"/network/{contact_id}").text
    # Bob's session cannot edit Ann's contact
    client.cookies.clear()
    bob_csrf = _signed_in(client, bob)
    theirs = client.post(f"/network/{contact_id}/edit", data={**form, "csrf": bob_csrf, "role": "Spy"})
    assert theirs.status_code in (404, 422) and service.store.head_position() > head
    assert "Spy" not in str(service.profile(ann.user_id).contacts[contact_id])


def test_same_email_is_refused_and_same_name_questioned(client: TestClient, ann: User, service: App) -> None:
    csrf = _signed_in(client, ann)
    client.post("/web/contacts", data={"csrf": csrf, "name": "Maya Lin", "email": "maya@grid.org"})
    head = service.store.head_position()
    again = client.post("/web/contacts", data={"csrf": csrf, "name": "M. Lin", "email": "Maya@grid.org"})
    assert again.status_code == 422 and "already has the email maya@grid.org" in again.text
    assert service.store.head_position() == head
    namesake = client.post("/web/contacts", data={"csrf": csrf, "name": "maya lin"})
    assert "you already have a contact named Maya Lin" in namesake.text


def test_settings_change_the_zone_every_time_is_shown_in(client: TestClient, ann: User) -> None:
    csrf = _signed_in(client, ann)
    client.post(
        "/web/actions", data={"csrf": csrf, "action": "reach-out", "day": "2026-11-24", "clock": "19:00"}
    )
    assert "Tue 24 Nov 2026, 19:00" in client.get("/history").text  # Berlin
    saved = client.post(
        "/settings",
        data={"csrf": csrf, "timezone": "America/New_York", "week_start": "sunday", "weekly_budget": "3"},
    )
    assert "Settings saved." in saved.text
    assert 'value="America/New_York" selected' in saved.text and 'value="sunday" selected' in saved.text
    assert "Tue 24 Nov 2026, 13:00" in client.get("/history").text  # the same moment in New York
    bad = client.post("/settings", data={"csrf": csrf, "timezone": "Mars/Olympus"})
    assert bad.status_code == 422 and "unknown time zone" in bad.text


def test_history_filters_page_and_retracts_after_a_confirmation(
    client: TestClient, ann: User, service: App
) -> None:
    csrf = _signed_in(client, ann)
    maya = add_contact(service, ann.user_id, ContactSpec(name="Maya Lin"))
    for day in range(1, 31):
        client.post("/web/actions", data={"csrf": csrf, "action": "follow-up", "day": f"2026-10-{day:02d}"})
    client.post(
        "/web/actions", data={"csrf": csrf, "action": "reach-out", "day": "2026-11-20", "contact_id": maya}
    )
    first = client.get("/history?kind=actions").text
    assert first.count("<li>") == 25 and "Older" in first
    older = re.search(r'href="(/history\?kind=actions&amp;before=\d+)"', first).group(1)  # type: ignore[union-attr]
    second = client.get(older.replace("&amp;", "&")).text
    assert second.count("<li>") == 6 and "Newest" in second
    only_maya = client.get(f"/history?contact={maya}").text
    assert "Reached out" in only_maya and "Followed up" not in only_maya and "with Maya Lin" in only_maya
    contacts_only = client.get("/history?kind=contacts").text
    assert "Contact added" in contacts_only and "Followed up" not in contacts_only
    manual = client.get("/history?source=manual").text
    assert manual.count('<span class="muted small">logged by you') == 25
    assert "Nothing here yet." in client.get("/history?source=google").text
    action_id = re.search(rf'href="/history/retract/({ID})"', only_maya).group(1)  # type: ignore[union-attr]
    confirm = client.get(f"/history/retract/{action_id}").text
    assert "Retract this entry?" in confirm and "Reached out" in confirm
    assert service.store.head_position() > 0
    head = service.store.head_position()
    done = client.post(f"/history/retract/{action_id}", data={"csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303 and service.store.head_position() == head + 1
    assert "retracted" in client.get(f"/history?contact={maya}").text
    assert "already retracted" in client.get(f"/history/retract/{action_id}").text
    unknown = client.get("/history?kind=bogus")
    assert unknown.status_code == 422 and "unknown kind" in unknown.text
    _no_machine_words(client.get("/history").text)


def test_export_download_and_import_upload_of_ones_own_events(
    client: TestClient, ann: User, service: App, tmp_path: object
) -> None:
    csrf = _signed_in(client, ann)
    client.post("/web/actions", data={"csrf": csrf, "action": "reach-out", "day": "2026-11-24"})
    exported = client.get("/export")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    lines = exported.text.splitlines()
    assert all(json.loads(line)["stream_id"].endswith(ann.user_id) or "handle-" in line for line in lines)
    same = client.post("/import", data={"csrf": csrf}, files={"file": ("e.jsonl", exported.text.encode())})
    assert same.status_code == 200 and "0 new events imported" in same.text
    bob = add_user(service, "bob@example.com")
    actions.log_action(service, bob.user_id, "reach-out")
    theirs = [json.loads(line) for line in "\n".join(_all_lines(service)).splitlines()]
    foreign = "\n".join(json.dumps(e) for e in theirs if e["stream_id"].endswith(bob.user_id))
    head = service.store.head_position()
    refused = client.post("/import", data={"csrf": csrf}, files={"file": ("b.jsonl", foreign.encode())})
    assert refused.status_code == 422 and "belongs to another account" in refused.text
    assert service.store.head_position() == head


def _all_lines(service: App) -> list[str]:
    from service.operations import archive

    return list(archive.export_lines(service, None))


def test_pages_of_another_users_things_are_not_found(client: TestClient, ann: User, service: App) -> None:
    bob = add_user(service, "bob@example.com")
    theirs = goals.set_goal(service, bob.user_id, goals.GoalSpec(template="monthly-event")).goal_id
    contact = add_contact(service, bob.user_id, ContactSpec(name="Secret Person"))
    csrf = _signed_in(client, ann)
    assert client.get(f"/goals/{theirs}").status_code == 404
    assert client.get(f"/network/{contact}").status_code == 404
    head = service.store.head_position()
    paused = client.post(f"/goals/{theirs}/pause", data={"csrf": csrf})
    assert paused.status_code in (404, 422)
    assert service.store.head_position() == head
    assert "Secret Person" not in client.get(f"/history?contact={contact}").text


def test_sign_in_words_and_error_banners_read_as_people_speak(client: TestClient, ann: User) -> None:
    page = client.get("/signin").text
    assert "netgoals serve" in page and "netgoals api" in page and "netgoals user add" in page
    wrong = client.post("/signin", data={"email": ann.email, "token": "wrong", "csrf": _csrf(page)})
    assert wrong.status_code == 401 and f'value="{ann.email}"' in wrong.text
    sign_in(client, ann)
    first = client.get("/?done=first-sign-in").text
    assert "Welcome to netgoals." in first
    csrf = _csrf(first)
    future = client.post(
        "/web/actions", data={"csrf": csrf, "action": "reach-out", "day": "2026-11-25", "clock": "23:00"}
    )
    assert future.status_code == 422 and "2026-11-25 23:00 is in the future" in future.text
    _no_machine_words(future.text)
    goal = client.post("/web/goals", data={"csrf": csrf, "template": "monthly-event"}, follow_redirects=False)
    assert goal.status_code == 303
    client.post("/signout", data={"csrf": csrf})
    page = client.get("/signin").text
    again = client.post(
        "/signin", data={"email": ann.email, "token": ann.token, "csrf": _csrf(page)}, follow_redirects=False
    )
    assert again.headers["location"] == "/?done=signed-in"  # now there is something to come back to
