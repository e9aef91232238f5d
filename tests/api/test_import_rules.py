"""A person's upload of events (`POST /import`): only the facts a person makes through the service
for their own account, each decided against what the store holds, all of the file or nothing."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from domain.event_types import events as ev
from domain.event_types.events import actions_stream, handle_stream, profile_stream
from service.app import App
from service.tracking import goals
from tests.api.conftest import NOW, User
from tests.api.test_dashboard_pages import _signed_in


def _line(stream_id: str, version: int, event_type: str, data: dict[str, Any], **extra: Any) -> str:
    event = {
        "event_id": str(uuid4()),
        "stream_id": stream_id,
        "version": version,
        "type": event_type,
        "schema_version": 1,
        "data": data,
        **extra,
    }
    return json.dumps(event)


def _upload(client: TestClient, csrf: str, *lines: str) -> Any:
    body = "\n".join(lines).encode()
    return client.post("/import", data={"csrf": csrf}, files={"file": ("events.jsonl", body)})


def _everyone_is_served(client: TestClient, *users: User) -> None:
    assert client.get("/").status_code == 200
    for user in users:
        assert client.get("/api/v1/me", headers=user.headers).status_code == 200
        assert client.get("/api/v1/progress", headers=user.headers).status_code == 200


def test_a_registration_carrying_another_users_handle_is_refused_and_nothing_wedges(
    client: TestClient, ann: User, bob: User, service: App
) -> None:
    """Issue 21's reproduction: bob uploads a registration in his own profile stream with ann's
    handle at the stream's next version. It used to be appended, and the users projection failed
    on UNIQUE (handle) at it for good: every request of every user answered 500."""
    csrf = _signed_in(client, bob)
    stream = profile_stream(bob.user_id)
    taken = {
        "handle": ann.email,
        "timezone": "UTC",
        "week_start": 0,
        "weekly_budget": 5,
        "at": NOW.isoformat(),
    }
    head = service.store.head_position()
    line = _line(stream, service.store.stream_version(stream) + 1, ev.USER_REGISTERED, taken)
    refused = _upload(client, csrf, line)
    assert refused.status_code == 422
    assert "line 1" in refused.text and "user.registered" in refused.text
    assert service.store.head_position() == head
    _everyone_is_served(client, ann, bob)


def _next(service: App, stream_id: str) -> int:
    return service.store.stream_version(stream_id) + 1


@pytest.mark.parametrize("event_type", sorted(ev.ALL_EVENT_TYPES - ev.PERSON_EVENT_TYPES))
def test_no_fact_but_a_persons_own_can_be_uploaded(
    client: TestClient, bob: User, service: App, event_type: str
) -> None:
    """Registrations, handle claims (anyone could reserve any free handle for ever), connections,
    where updates go and the service's own records: never from a file, whatever the payload."""
    csrf = _signed_in(client, bob)
    if event_type == ev.HANDLE_CLAIMED:
        stream = handle_stream("free-handle")
        data: dict[str, Any] = {"handle": "free-handle", "user_id": bob.user_id, "at": NOW.isoformat()}
    else:
        owner = ev.profile_stream if event_type.startswith(("user.", "calendar.")) else actions_stream
        stream = owner(bob.user_id)
        data = {"at": NOW.isoformat(), "action_id": str(uuid4())}
    head = service.store.head_position()
    refused = _upload(client, csrf, _line(stream, _next(service, stream), event_type, data))
    assert refused.status_code == 422
    assert f"line 1: {event_type} cannot be imported" in refused.text
    assert service.store.head_position() == head
    _everyone_is_served(client, bob)


def test_ids_that_collide_with_the_store_are_refused_by_line_and_nothing_is_appended(
    client: TestClient, bob: User, service: App
) -> None:
    csrf = _signed_in(client, bob)
    goals.set_goal(service, bob.user_id, goals.GoalSpec(template="weekly-outreach"))
    profile = profile_stream(bob.user_id)
    mine = [e for e in service.store.read_stream(profile) if e.type == ev.GOAL_SET]
    held = mine[0]
    head = service.store.head_position()
    fresh_goal = _line(profile, _next(service, profile), ev.GOAL_SET, {**held.data, "goal_id": str(uuid4())})
    same_goal_again = _line(profile, _next(service, profile) + 1, ev.GOAL_SET, held.data)
    refused = _upload(client, csrf, fresh_goal, same_goal_again)
    assert refused.status_code == 422
    assert f"line 2: goal {held.data['goal_id']} already belongs to another goal" in refused.text
    assert service.store.head_position() == head  # the good first line was not appended either

    changed = json.loads(_line(profile, held.version, held.type, {**held.data, "target": 9}))
    changed["event_id"] = str(held.event_id)
    refused = _upload(client, csrf, json.dumps(changed))
    assert refused.status_code == 422
    assert f"line 1: event {held.event_id} is already in the store as another event" in refused.text

    stale = _upload(
        client, csrf, _line(profile, held.version, ev.GOAL_SET, {**held.data, "goal_id": str(uuid4())})
    )
    assert stale.status_code == 422 and "line 1:" in stale.text and "version" in stale.text
    assert service.store.head_position() == head

    accepted = _upload(client, csrf, fresh_goal)
    assert accepted.status_code == 200 and "1 new event imported" in accepted.text
    assert service.store.head_position() == head + 1
    _everyone_is_served(client, bob)


def test_settings_are_decided_as_the_settings_command_decides_them(
    client: TestClient, bob: User, service: App
) -> None:
    csrf = _signed_in(client, bob)
    profile = profile_stream(bob.user_id)
    head = service.store.head_position()
    nowhere = _line(
        profile,
        _next(service, profile),
        ev.USER_SETTINGS_CHANGED,
        {"timezone": "Mars/Olympus", "at": NOW.isoformat()},
    )
    refused = _upload(client, csrf, nowhere)
    assert refused.status_code == 422 and "line 1: user.settings-changed" in refused.text
    assert "Mars/Olympus" in refused.text
    assert service.store.head_position() == head
    _everyone_is_served(client, bob)


def test_a_fact_in_a_stream_where_it_does_not_belong_is_refused(
    client: TestClient, bob: User, service: App
) -> None:
    csrf = _signed_in(client, bob)
    stream = actions_stream(bob.user_id)
    head = service.store.head_position()
    contact = {"contact_id": str(uuid4()), "name": "Maya", "at": NOW.isoformat()}
    refused = _upload(client, csrf, _line(stream, _next(service, stream), ev.CONTACT_ADDED, contact))
    assert refused.status_code == 422
    assert f"line 1: contact.added does not belong in {stream}" in refused.text
    assert service.store.head_position() == head
