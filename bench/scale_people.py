"""Many people for the scale benchmark (bench/scale.py), quickly, as the service would have made them.

One template person is decided once by the domain's own decisions (registration, ten contacts, three
goals, email updates set and confirmed), the events the service appends when a person does those
things; every person is that template with ids of their own (user, handle, goals, contacts,
address), plus the service's handle claim and fifty done actions (`decisions.log_action`) at
random moments before this month. Many people's streams go into one transaction, and the
projections are made once at the end by the service's rebuild (`netgoals rebuild`), which equals
catching up event by event (tests/integration/test_projection_properties.py) but folds the log in
memory and writes each view in bulk: catching up event by event was 31 of the 32 s that building
200 people took, and building 10,000 did not finish in 5 CPU minutes.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from domain import decisions
from domain.decisions.profile import Profile
from domain.event_types import events as ev
from domain.event_types import facts
from domain.event_types.events import Event, NewEvent
from domain.progress_updates.updates import UpdatePreferences
from integrations.storage.event_store import StreamAppend
from service.app import App
from service.operations import archive

KINDS = ("attend-event", "reach-out", "follow-up", "meet-mentor", "offer-help")
FIRST = datetime(2025, 1, 1, tzinfo=UTC)  # everyone registered then; their actions since
CONTACTS, DONE = 10, 50
PEOPLE_PER_APPEND = 50
GOALS = (
    decisions.GoalSpec(
        title="Goal 0", action="attend-event", target=1, frame="month", new_contacts_only=False
    ),
    decisions.GoalSpec(title="Goal 1", action="reach-out", target=1, frame="week", new_contacts_only=True),
    decisions.GoalSpec(
        title="Goal 2", action="follow-up", target=3, frame="quarter", new_contacts_only=False
    ),
)

# The template's own ids, replaced by each person's.
_USER = "00000000-0000-4000-8000-000000000000"
_HANDLE = "template-person"
_ADDRESS = "template-person@bench.test"
_CONTACT_IDS = [f"00000000-0000-4000-8001-{i:012d}" for i in range(CONTACTS)]
_GOAL_IDS = [f"00000000-0000-4000-8002-{i:012d}" for i in range(len(GOALS))]


@dataclass(frozen=True)
class Template:
    profile: Profile  # the template's, for deciding each person's actions (registered, no contacts used)
    events: list[Event]  # the profile stream, in order


def template() -> Template:
    """The profile stream of one person, decided by the domain as the service decides it."""
    profile = Profile(_USER)
    made: list[Event] = []

    def take(*events: Event) -> None:
        for event in events:
            profile.apply(event.type, event.data)
            made.append(event)

    take(decisions.register(_HANDLE, "Europe/Berlin", FIRST))
    for i, contact_id in enumerate(_CONTACT_IDS):
        spec = decisions.ContactSpec(name=f"Contact {i}", emails=(f"c{i}@example.org",), strength=1 + i % 5)
        take(decisions.add_contact(profile, contact_id, spec, FIRST))
    for goal_id, goal in zip(_GOAL_IDS, GOALS, strict=True):
        take(*decisions.set_goal(profile, goal_id, goal, FIRST).events)
    chosen = UpdatePreferences(channel="email", email=_ADDRESS, immediate=True, digest=True)
    take(*decisions.set_updates(profile, chosen, FIRST))
    take(*decisions.confirm_update_email(profile, _ADDRESS, FIRST))
    return Template(profile, made)


def _renamed(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [names.get(v, v) if isinstance(v, str) else v for v in value]
    return value


def person(made: Template, index: int, month_start: datetime) -> tuple[str, str, list[StreamAppend]]:
    """Person `index`: (user id, address, their streams: handle claim, profile, actions)."""
    user_id, handle = str(uuid.uuid4()), f"person{index}"
    address = f"{handle}@bench.test"
    names = {_USER: user_id, _HANDLE: handle, _ADDRESS: address}
    names.update((c, str(uuid.uuid4())) for c in _CONTACT_IDS)
    names.update((g, str(uuid.uuid4())) for g in _GOAL_IDS)
    profile = [
        NewEvent(uuid.uuid4(), e.type, {k: _renamed(v, names) for k, v in e.data.items()})
        for e in made.events
    ]
    claim = facts.handle_claimed(handle, user_id, FIRST).with_id(uuid.uuid4())
    return (
        user_id,
        address,
        [
            StreamAppend(ev.handle_stream(handle), 0, [claim], user_id=user_id),
            StreamAppend(ev.profile_stream(user_id), 0, profile),
            StreamAppend(ev.actions_stream(user_id), 0, list(_done(made.profile, index, month_start))),
        ],
    )


def _done(profile: Profile, index: int, month_start: datetime) -> Iterator[NewEvent]:
    """Fifty meetups and such at random moments between FIRST and this month, logged as done."""
    rng = random.Random(index)
    span = (month_start - FIRST).total_seconds()
    for _ in range(DONE):
        when = FIRST + timedelta(seconds=rng.random() * span)
        kind = rng.choice(KINDS)
        event = decisions.log_action(
            profile, str(uuid.uuid4()), kind, when, when, title="Climate Tech Meetup"
        )
        yield event.with_id(uuid.uuid4())


def build(app: App, count: int, month_start: datetime) -> dict[str, str]:
    """`count` people, PEOPLE_PER_APPEND to a transaction, then the projections rebuilt once;
    returns user id -> address."""
    made = template()
    people: dict[str, str] = {}
    batch: list[StreamAppend] = []
    for index in range(count):
        user_id, address, streams = person(made, index, month_start)
        people[user_id] = address
        batch += streams
        if len(batch) >= 3 * PEOPLE_PER_APPEND:
            app.store.append(*batch)
            batch = []
    if batch:
        app.store.append(*batch)
    archive.rebuild(app)
    return people
