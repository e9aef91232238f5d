"""The first-run path over HTTP: a person without goals meets it on the home page, walks it step by
step (each form through the same use cases as the rest of the dashboard), may skip any step, and
once they have a goal the home page is the usual one."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from service.app import App
from service.commands import ContactSpec
from service.people import contacts
from service.tracking import goals
from tests.api.conftest import User, event_count
from tests.api.test_dashboard import _csrf, sign_in


def _step(html: str) -> str | None:
    found = re.search(r"Step (\d) of 4", html)
    return found.group(1) if found else None


def _log_form_after_first_run(html: str) -> bool:
    return html.index("first-run-title") < html.index(">Log an action<")


def test_a_new_person_walks_the_path_from_the_home_page_to_a_first_goal(
    client: TestClient, ann: User, service: App
) -> None:
    sign_in(client, ann)
    home = client.get("/?done=first-sign-in").text
    assert _step(home) == "1" and "What are you working towards?" in home
    assert _log_form_after_first_run(home)  # the path first, not the log form
    csrf = _csrf(home)

    went = client.post(
        "/start/aspiration",
        data={"csrf": csrf, "text": "Move into climate tech", "kind": "new-job"},
        follow_redirects=False,
    )
    assert went.status_code == 303 and went.headers["location"] == "/start/people?done=aspiration"
    assert _step(client.get("/").text) == "2"
    for name in ("Maya Lin", "Tomás Ruiz"):
        added = client.post("/start/people", data={"csrf": csrf, "name": name, "organisation": "Grid"})
        assert added.status_code == 200 and _step(added.text) == "2"
    assert re.search(r"2 people so far:\s+Maya Lin, Tomás Ruiz<", added.text), added.text[-3000:]
    assert 'href="/start/goal">Go on: a first goal' in added.text

    goal_page = client.get("/").text
    assert _step(goal_page) == "3"
    aspiration = goals.list_aspirations(service, ann.user_id)[0]
    assert f'<option value="{aspiration.aspiration_id}" selected>Move into climate tech' in goal_page
    set_ = client.post(
        "/start/goal",
        data={"csrf": csrf, "template": "weekly-outreach", "aspiration_id": aspiration.aspiration_id},
        follow_redirects=False,
    )
    assert set_.headers["location"] == "/start/calendar?done=goal"
    calendar = client.get("/start/calendar?done=goal").text
    assert _step(calendar) == "4" and "Goal added." in calendar
    assert 'action="/calendar/sources"' in calendar and 'href="/calendar"' in calendar
    assert 'href="/">Skip this step and go to your goals' in calendar
    (goal,) = goals.list_goals(service, ann.user_id)
    assert goal.aspiration_id == aspiration.aspiration_id  # the first goal serves the aspiration

    home = client.get("/").text  # with a goal, the usual home page
    assert _step(home) is None and "first-run-title" not in home and ">Log an action<" in home


def test_every_step_can_be_skipped_and_the_home_page_keeps_the_step_reached(
    client: TestClient, ann: User, service: App
) -> None:
    sign_in(client, ann)
    for name, following in (("aspiration", "people"), ("people", "goal"), ("goal", "calendar")):
        page = client.get(f"/start/{name}").text
        assert f'<a href="/start/{following}">Skip this step</a>' in page
    assert client.get("/start", follow_redirects=False).headers["location"] == "/start/aspiration"
    assert client.get("/start/nonsense", follow_redirects=False).headers["location"] == "/start"
    goals.add_aspiration(service, ann.user_id, "More clients", "clients")
    assert client.get("/start", follow_redirects=False).headers["location"] == "/start/people"
    contacts.add_contact(service, ann.user_id, ContactSpec(name="Maya Lin"))
    assert _step(client.get("/").text) == "3"


def test_first_run_forms_need_the_csrf_token_and_bad_input_changes_nothing(
    client: TestClient, ann: User, bob: User, service: App
) -> None:
    sign_in(client, ann)
    csrf = _csrf(client.get("/").text)
    theirs = goals.add_aspiration(service, bob.user_id, "Bob's secret plan", "other")
    bobs_friend = contacts.add_contact(service, bob.user_id, ContactSpec(name="Bob's Friend"))
    before = event_count(service)
    for path, data in (
        ("/start/aspiration", {"text": "A job"}),
        ("/start/people", {"name": "Maya Lin"}),
        ("/start/goal", {"template": "monthly-event"}),
    ):
        assert client.post(path, data=data).status_code == 403
        assert client.post(path, data={**data, "csrf": "x" * 64}).status_code == 403
    empty = client.post("/start/aspiration", data={"csrf": csrf, "text": "  "})
    assert empty.status_code == 422 and _step(empty.text) == "1"
    nameless = client.post("/start/people", data={"csrf": csrf, "name": ""})
    assert nameless.status_code == 422 and _step(nameless.text) == "2"
    mentor = client.post("/start/goal", data={"csrf": csrf, "template": "mentor"})
    assert mentor.status_code == 422 and "the mentor goal needs a contact" in mentor.text
    for other in ({"aspiration_id": theirs}, {"template": "mentor", "contact_id": bobs_friend}):
        wrong = client.post("/start/goal", data={"csrf": csrf, "template": "monthly-event", **other})
        assert wrong.status_code == 422, wrong.text  # someone else's aspiration or contact: not found
    assert event_count(service) == before
    page = client.get("/start/goal").text
    assert "Bob's secret plan" not in page and "Bob&#39;s Friend" not in page
