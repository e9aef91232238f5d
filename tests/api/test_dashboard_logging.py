"""The one-tap "+1" of a goal card and goal page, what the page says it counted for, and how
progress reads: a deadline goal's pace instead of streaks, the same steps on the home card as on
the goal page, every bar of a chart labelled, "met" and "on track" told apart by more than colour."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi.testclient import TestClient

from domain.decisions import GoalSpec
from service.app import App
from service.commands import ContactSpec
from service.people.contacts import add_contact
from service.tracking import actions, goals
from tests.api.conftest import Clock, User, event_count
from tests.api.test_dashboard_pages import _signed_in


def _goal(service: App, user: User, **fields: object) -> str:
    return goals.set_goal(service, user.user_id, GoalSpec(**fields)).goal_id  # type: ignore[arg-type]


def _tap(client: TestClient, csrf: str, goal_id: str, back: str = "home") -> str:
    response = client.post(
        f"/web/goals/{goal_id}/done", data={"csrf": csrf, "back": back}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def _kinds(service: App, user: User) -> list[str]:
    found = actions.history(service, user.user_id, limit=50)
    return [item["data"]["kind"] for item in found if "kind" in item["data"]]


def test_one_tap_logs_the_goals_own_kind_and_says_what_it_counted_for(
    client: TestClient, ann: User, service: App
) -> None:
    csrf = _signed_in(client, ann)
    event = _goal(service, ann, template="monthly-event")
    talk = _goal(service, ann, title="Give a talk", action="give-a-talk", target=2, deadline=date(2027, 5, 1))

    assert _tap(client, csrf, event) == "/"
    home = client.get("/").text
    assert "Counted for: Attend one networking event per month — 1 of 1, met." in home
    assert "Worth a look" not in home
    assert "Counted for" not in client.get("/").text  # said once

    assert _tap(client, csrf, talk, back="goal") == f"/goals/{talk}"
    page = client.get(f"/goals/{talk}").text
    assert re.search(r"Counted for: Give a talk — 1 of 2, (on track|met|behind)\.", page), page
    assert _kinds(service, ann) == ["give-a-talk", "attend-event"]


def test_one_tap_refuses_a_wrong_token_another_users_goal_and_a_free_return_address(
    client: TestClient, ann: User, bob: User, service: App
) -> None:
    csrf = _signed_in(client, ann)
    mine = _goal(service, ann, template="monthly-event")
    theirs = _goal(service, bob, template="monthly-event")
    before = event_count(service)
    wrong = client.post(f"/web/goals/{mine}/done", data={"csrf": "nope"}, follow_redirects=False)
    assert wrong.status_code == 403
    other = client.post(f"/web/goals/{theirs}/done", data={"csrf": csrf}, follow_redirects=False)
    assert other.status_code == 404 and "no such goal of yours" in other.text
    assert event_count(service) == before
    assert _tap(client, csrf, mine, back="//evil.ex") == "/"  # never a free URL


def test_a_deadline_goal_shows_its_pace_and_the_home_card_draws_the_goal_pages_steps(
    client: TestClient, ann: User, service: App, clock: Clock
) -> None:
    csrf = _signed_in(client, ann)
    start = clock().date() - timedelta(days=40)
    talk = _goal(
        service,
        ann,
        title="Give a talk",
        action="give-a-talk",
        target=4,
        start=start,
        deadline=date(2027, 1, 31),
    )
    for days_ago in (30, 12):
        actions.log_action(service, ann.user_id, "give-a-talk", clock() - timedelta(days=days_ago))
    home, page = client.get("/").text, client.get(f"/goals/{talk}").text
    for html in (home, page):
        assert "Streak" not in html and "Best" not in html
        assert re.search(r'class="pace">\d+ days? (to spare|behind)<', html), html
    steps = re.findall(r'class="chart-actual" d="([^"]+)"', home)
    assert steps and steps == re.findall(r'class="chart-actual" d="([^"]+)"', page)
    assert steps[0].count(" L") >= 4  # up at each action, not one jump to today's total at the start
    for _ in range(2):
        assert _tap(client, csrf, talk, back="goal") == f"/goals/{talk}"
    done = client.get(f"/goals/{talk}").text
    assert 'class="pace">target reached<' in done and "<dt>Left</dt>" not in done


def test_every_bar_of_a_period_chart_is_labelled_and_met_differs_from_on_track_in_words(
    client: TestClient, ann: User, service: App, clock: Clock
) -> None:
    _signed_in(client, ann)
    _goal(service, ann, template="weekly-outreach", start=clock().date() - timedelta(days=70))
    home = client.get("/").text
    bars = re.findall(r'<rect class="chart-bar', home)
    listed = re.search(r'<details class="numbers">.*?</details>', home, re.S)
    assert bars and listed and listed.group(0).count("<li>") == len(bars)
    css = client.get("/static/app.css").text
    colours = dict(re.findall(r"--(met|on-track): (#[0-9a-f]{6})", css))
    assert colours["met"] != colours["on-track"]
    assert '.pill.status-met::before { content: "✓ "; }' in css


def test_the_log_form_offers_the_goals_own_kinds_and_takes_several_people(
    client: TestClient, ann: User, service: App
) -> None:
    csrf = _signed_in(client, ann)
    _goal(service, ann, title="Give a talk", action="give-a-talk", target=2, deadline=date(2027, 5, 1))
    assert '<option value="give-a-talk">' in client.get("/").text
    maya, tomas = (add_contact(service, ann.user_id, ContactSpec(name=n)) for n in ("Maya Lin", "Tomás Ruiz"))
    data = {"csrf": csrf, "action": "give-a-talk", "contact_id": [maya, tomas, ""]}
    logged = client.post("/web/actions", data=data, follow_redirects=False)
    assert logged.status_code == 303 and logged.headers["location"] == "/?done=action"
    assert re.search(r"Action logged\. Counted for: Give a talk — 1 of 2, \w", client.get("/").text)
    newest = actions.history(service, ann.user_id, limit=1)[0]["data"]
    assert newest["kind"] == "give-a-talk" and sorted(newest["contact_ids"]) == sorted([maya, tomas])

    before = event_count(service)
    crowd = client.post("/web/actions", data={**data, "contact_id": [f"c{i}" for i in range(21)]})
    assert crowd.status_code == 422 and "name at most 20 people on one action" in crowd.text
    assert event_count(service) == before


def test_a_contact_page_logs_with_that_person_and_returns_there(
    client: TestClient, ann: User, service: App
) -> None:
    csrf = _signed_in(client, ann)
    maya = add_contact(service, ann.user_id, ContactSpec(name="Maya Lin"))
    page = client.get(f"/network/{maya}").text
    assert "Log something with Maya Lin" in page and f'name="contact_id" value="{maya}"' in page
    data = {"csrf": csrf, "action": "follow-up", "contact_id": maya, "back": "contact"}
    logged = client.post("/web/actions", data=data, follow_redirects=False)
    assert logged.headers["location"] == f"/network/{maya}"
    after = client.get(f"/network/{maya}").text
    assert "Action logged. It counted for no goal" in after
    assert "<dt>Interactions</dt><dd>1</dd>" in after
