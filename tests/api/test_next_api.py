"""The "next" list over HTTP against the real app, on SQLite and PostgreSQL: whose list it is, its
answers as facts (done counts for goals, once per idempotency key), bad answers changing nothing,
and answers surviving export → import and a rebuild without touching progress (issue 28)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from domain.event_types import events as ev
from domain.event_types.events import actions_stream, profile_stream
from service.app import App
from service.operations import archive
from service.people import next_actions
from service.settings import Settings
from tests.api.conftest import NOW, Clock, User, event_count
from tests.api.test_dashboard_pages import _no_machine_words, _signed_in
from tests.api.test_import_rules import _line, _upload
from tests.api.test_import_rules import _next as _next_version

API = "/api/v1"


def _met_yesterday(client: TestClient, who: User, clock: Clock) -> tuple[str, str]:
    """A follow-up goal, and Ben met at an event yesterday: (goal id, Ben's contact id)."""
    goal = client.post(
        f"{API}/goals",
        headers=who.headers,
        json={"title": "Follow up twice a week", "action": "follow-up", "target": 2, "frame": "week"},
    )
    assert goal.status_code == 201, goal.text
    ben = client.post(f"{API}/contacts", headers=who.headers, json={"name": "Ben Okafor"})
    assert ben.status_code == 201, ben.text
    at = (clock.now - timedelta(days=1)).isoformat()
    body = {"action": "attend-event", "at": at, "contact_ids": [ben.json()["contact_id"]]}
    assert client.post(f"{API}/actions", headers=who.headers, json=body).status_code == 201
    return goal.json()["goal_id"], ben.json()["contact_id"]


def _next(client: TestClient, who: User, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"{API}/next", headers=who.headers, params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def test_the_list_is_the_callers_and_done_counts_once(
    client: TestClient, service: App, ann: User, bob: User, clock: Clock
) -> None:
    goal_id, ben = _met_yesterday(client, ann, clock)
    items = _next(client, ann)
    assert [(i["item_id"], i["goal_id"], i["action"]) for i in items] == [
        (f"follow-up:{ben}", goal_id, "follow-up")
    ]
    assert items[0]["reason"].startswith("You first met Ben Okafor yesterday")
    assert client.get(f"{API}/next").status_code == 401

    # Bob sees none of it and can answer nothing of Ann's.
    assert _next(client, bob) == []
    before = event_count(service)
    stranger = client.post(f"{API}/next/follow-up:{ben}/answer", headers=bob.headers, json={"answer": "done"})
    assert stranger.status_code == 404
    needs = client.put(f"{API}/contacts/{ben}/needs", headers=bob.headers, json={"needs": ["a hire"]})
    assert needs.status_code == 404
    assert event_count(service) == before

    headers = {**ann.headers, "Idempotency-Key": "next-done-1"}
    first = client.post(f"{API}/next/1/answer", headers=headers, json={"answer": "done"})
    again = client.post(f"{API}/next/1/answer", headers=headers, json={"answer": "done"})
    assert first.status_code == again.status_code == 200, first.text
    assert first.json() == again.json() and first.json()["action_id"]
    assert event_count(service) == before + 2
    progress = client.get(f"{API}/progress", headers=ann.headers).json()
    assert [(p["goal_id"], p["done"]) for p in progress] == [(goal_id, 1)]
    assert _next(client, ann) == []


def test_bad_answers_are_clear_and_change_nothing(
    client: TestClient, service: App, ann: User, clock: Clock
) -> None:
    _met_yesterday(client, ann, clock)
    before = event_count(service)
    for body, status, words in [
        ({"answer": "maybe"}, 422, "answer"),
        ({"answer": "snoozed"}, 422, "a snooze needs the day"),
        ({"answer": "snoozed", "until": clock.now.date().isoformat()}, 422, "give a day after today"),
        ({"answer": "dismissed", "until": "2026-12-30"}, 422, "only a snooze takes a day"),
        ({"answer": "done", "until": "2026-12-30"}, 422, "only a snooze takes a day"),  # no action either
    ]:
        response = client.post(f"{API}/next/1/answer", headers=ann.headers, json=body)
        assert response.status_code == status, response.text
        assert words in response.text
    assert (
        client.post(f"{API}/next/7/answer", headers=ann.headers, json={"answer": "done"}).status_code == 404
    )
    too_many = client.put(f"{API}/next/offers", headers=ann.headers, json={"offers": ["x"] * 21})
    assert too_many.status_code == 422
    assert client.get(f"{API}/next", headers=ann.headers, params={"limit": 0}).status_code == 422
    assert event_count(service) == before


def test_offers_and_needs_match_and_answers_survive_export_import_and_rebuild(
    client: TestClient, service: App, ann: User, clock: Clock, tmp_path: Path
) -> None:
    _, ben = _met_yesterday(client, ann, clock)
    offers = client.put(f"{API}/next/offers", headers=ann.headers, json={"offers": ["Pricing advice"]})
    assert offers.json() == {"items": ["Pricing advice"]}
    client.put(f"{API}/contacts/{ben}/needs", headers=ann.headers, json={"needs": ["advice on PRICING"]})
    clock.advance(days=7)  # the follow-up window has closed; the need is still open
    items = _next(client, ann)
    assert [(i["item_id"], i["reason"]) for i in items] == [
        (f"offer:{ben}", "Ben Okafor is looking for “advice on PRICING”; you can offer “Pricing advice”.")
    ]
    progress = client.get(f"{API}/progress", headers=ann.headers).json()
    snooze = {"answer": "snoozed", "until": (clock.now + timedelta(days=3)).date().isoformat()}
    assert client.post(f"{API}/next/offer:{ben}/answer", headers=ann.headers, json=snooze).status_code == 200
    assert _next(client, ann) == []
    assert client.get(f"{API}/progress", headers=ann.headers).json() == progress  # an answer counts nothing
    closeness = client.get(f"{API}/next/closeness", headers=ann.headers).json()
    assert [(c["name"], c["explanation"].split(":")[0]) for c in closeness] == [("Ben Okafor", "Cooling")]

    archive.rebuild(service)
    assert client.get(f"{API}/progress", headers=ann.headers).json() == progress
    assert _next(client, ann) == []

    other = App.open(Settings(home=tmp_path / "other"), clock)
    try:
        lines = list(archive.export_lines(service, ann.user_id))
        assert any('"next.answered"' in line for line in lines)
        assert archive.import_lines(other, lines) == len(lines)
        assert next_actions.next_items(other, ann.user_id) == []
        clock.advance(days=3)
        assert [i.item_id for i in next_actions.next_items(other, ann.user_id)] == [f"offer:{ben}"]
    finally:
        other.close()


def test_the_today_card_lists_the_items_and_answers_in_one_tap(
    client: TestClient, service: App, ann: User, clock: Clock
) -> None:
    goal_id, ben = _met_yesterday(client, ann, clock)
    csrf = _signed_in(client, ann)
    home = client.get("/").text
    card = home[home.index('id="today"') : home.index("</section>", home.index('id="today"'))]
    assert "You first met Ben Okafor yesterday" in card and "For: Follow up twice a week" in card
    assert f'action="/web/next/follow-up%3A{ben}"' in card
    _no_machine_words(home)

    before = event_count(service)
    forged = client.post(f"/web/next/follow-up:{ben}", data={"csrf": "forged", "answer": "done"})
    assert forged.status_code == 403
    bogus = client.post(f"/web/next/follow-up:{ben}", data={"csrf": csrf, "answer": "later"})
    assert bogus.status_code == 422 and "unknown answer" in bogus.text
    assert event_count(service) == before

    done = client.post(
        f"/web/next/follow-up:{ben}", data={"csrf": csrf, "answer": "done"}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/#today"
    assert event_count(service) == before + 2
    progress = client.get(f"{API}/progress", headers=ann.headers).json()
    assert [(p["goal_id"], p["done"]) for p in progress] == [(goal_id, 1)]
    assert "Nothing pressing today" in client.get("/").text


def test_a_persons_upload_takes_answers_only_when_they_read(
    client: TestClient, service: App, ann: User
) -> None:
    """An uploaded answer is a person's own fact; a malformed one would break their next list, so
    it is refused by line and nothing is appended. Offers are checked as the settings command does."""
    csrf = _signed_in(client, ann)
    stream = actions_stream(ann.user_id)
    head = service.store.head_position()
    bad = _line(stream, 1, ev.NEXT_ANSWERED, {"item_id": "offer:x", "answer": "later", "at": NOW.isoformat()})
    refused = _upload(client, csrf, bad)
    assert refused.status_code == 422 and "line 1: next.answered" in refused.text
    offers = _line(profile_stream(ann.user_id), _next_version(service, profile_stream(ann.user_id)),
                   ev.USER_SETTINGS_CHANGED, {"offers": ["x" * 500], "at": NOW.isoformat()})  # fmt: skip
    refused = _upload(client, csrf, offers)
    assert refused.status_code == 422 and "longer than 120 characters" in refused.text
    assert service.store.head_position() == head
    good = _line(
        stream, 1, ev.NEXT_ANSWERED, {"item_id": "offer:x", "answer": "never", "at": NOW.isoformat()}
    )
    accepted = _upload(client, csrf, good)
    assert accepted.status_code == 200 and "1 new event imported" in accepted.text
    assert _next(client, ann) == []


def test_tomorrow_in_one_tap_snoozes_to_the_persons_tomorrow(
    client: TestClient, service: App, ann: User, clock: Clock
) -> None:
    _, ben = _met_yesterday(client, ann, clock)
    csrf = _signed_in(client, ann)
    tapped = client.post(
        f"/web/next/follow-up:{ben}", data={"csrf": csrf, "answer": "tomorrow"}, follow_redirects=False
    )
    assert tapped.status_code == 303
    assert _next(client, ann) == []
    clock.advance(hours=13)  # 00:00 in Berlin, Ann's zone: her tomorrow has begun
    assert [i["item_id"] for i in _next(client, ann)] == [f"follow-up:{ben}"]


def test_a_promise_over_the_api_survives_export_and_import_and_bad_ones_are_refused(
    client: TestClient, service: App, ann: User, clock: Clock, tmp_path: Path
) -> None:
    _, ben = _met_yesterday(client, ann, clock)
    body = {"answer": "done", "promises": ["send Ben the climate report"]}
    answered = client.post(f"{API}/next/1/answer", headers=ann.headers, json=body)
    assert answered.status_code == 200, answered.text
    [promise_id] = answered.json()["promise_ids"]
    items = _next(client, ann)
    assert [(i["item_id"], i["kind"], i["contact_id"]) for i in items] == [
        (f"promise:{promise_id}", "keep-promise", ben)
    ]
    before = event_count(service)
    for bad in ({"answer": "done", "promises": [""]}, {"answer": "done", "promises": ["x"] * 6}):
        refused = client.post(f"{API}/next/1/answer", headers=ann.headers, json=bad)
        assert refused.status_code == 422, refused.text
    assert event_count(service) == before

    other = App.open(Settings(home=tmp_path / "other"), clock)
    try:
        lines = list(archive.export_lines(service, ann.user_id))
        assert archive.import_lines(other, lines) == len(lines)
        assert [i.item_id for i in next_actions.next_items(other, ann.user_id)] == [f"promise:{promise_id}"]
    finally:
        other.close()
    archive.rebuild(service)
    assert [i["item_id"] for i in _next(client, ann)] == [f"promise:{promise_id}"]


def test_an_upload_with_a_bad_promise_or_daily_time_is_refused_by_line(
    client: TestClient, service: App, ann: User
) -> None:
    csrf = _signed_in(client, ann)
    head = service.store.head_position()
    promise = {"promise_id": "p1", "text": "x" * 500}
    data = {"item_id": "offer:x", "answer": "done", "at": NOW.isoformat(), "promises": [promise]}
    refused = _upload(client, csrf, _line(actions_stream(ann.user_id), 1, ev.NEXT_ANSWERED, data))
    assert refused.status_code == 422 and "a promise needs 1 to 200 characters" in refused.text
    stream = profile_stream(ann.user_id)
    daily = _line(stream, _next_version(service, stream), ev.USER_SETTINGS_CHANGED,
                  {"daily_at": "99:99", "at": NOW.isoformat()})  # fmt: skip
    refused = _upload(client, csrf, daily)
    assert refused.status_code == 422 and "use HH:MM" in refused.text
    assert service.store.head_position() == head


def test_the_home_names_each_person_and_each_goal_once(
    client: TestClient, service: App, ann: User, clock: Clock
) -> None:
    from service.commands import ContactSpec, GoalSpec
    from service.people import contacts as contact_service
    from service.tracking import goals as goal_service

    # Maya and Kai are overdue for a check-in; the Today card names Maya (and Kai too, when there is room)
    for name in ("Maya Lin", "Kai Sato"):
        contact_service.add_contact(service, ann.user_id, ContactSpec(name=name, cadence_days=7))
    goal_service.set_goal(service, ann.user_id, GoalSpec(template="weekly-outreach"))
    # an aspiration nobody can help with yet: its item's reason names it already
    goal_service.add_aspiration(
        service, ann.user_id, "Move into a product role at a climate startup", "new-job"
    )
    clock.advance(days=20)
    _signed_in(client, ann)
    home = client.get("/").text
    today = home[home.index('id="today"') : home.index("</section>", home.index('id="today"'))]
    network = home[home.index('id="network-title"') :]
    network = network[: network.index("</section>")]
    named = [n for n in ("Maya Lin", "Kai Sato") if n in today]
    assert named, today
    for name in named:  # in Today, so not again under "Overdue for a check-in"
        assert name not in network
    assert (
        f'{len(named)} {"person" if len(named) == 1 else "people"} in <a href="#today">Today</a> above'
        in network
    )
    assert "“Move into a product role at a climate startup”" in today
    for item in today.split('class="today-item"')[1:]:  # no "For:" line repeating what the reason says
        reason = item[item.index('today-reason">') :].split("</p>")[0]
        served = item.split('today-for muted">For: ')[1].split("</p>")[0] if "today-for" in item else None
        assert served is None or served not in reason
