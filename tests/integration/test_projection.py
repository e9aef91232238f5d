"""The projections on both engines: exactly once under concurrent catch-up, rebuild equality,
and the use cases end to end against PostgreSQL as well as SQLite."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine, select

from domain import decisions
from domain.decisions import ContactSpec, GoalSpec
from domain.event_types.events import Event, NewEvent, actions_stream
from integrations.storage.event_store import StreamAppend
from integrations.storage.schema import checkpoints
from service.access import users
from service.app import App
from service.people import contacts
from service.read_models import progress
from service.tracking import actions, goals
from tests.conftest import FixedClock
from tests.integration.scenario import Step, run, snapshot

A_BUSY_SEASON = [
    Step("contact", (3,)),
    Step("contact", (1,)),
    Step("goal", ("monthly-event",)),
    Step("goal", ("weekly-outreach",)),
    Step("goal", ("mentor",)),
    *[
        Step("log", (kind, hours, [i % 2]))
        for i, (kind, hours) in enumerate(
            [
                ("attend-event", 30),
                ("reach-out", 5),
                ("meet-mentor", 200),
                ("reach-out", 900),
                ("follow-up", 1),
            ]
        )
    ],
    Step("retract", (1,)),
    Step("lifecycle", ("pause", 0)),
    Step("advance", (24 * 9,)),
    Step("lifecycle", ("resume", 0)),
    Step("timezone", ("America/Los_Angeles",)),
    Step("log", ("attend-event", 2, [])),
]


def test_a_season_of_networking_projects_the_same_incrementally_and_rebuilt(
    engine: Engine, make_app: Callable[[Engine], App], clock: FixedClock
) -> None:
    app = make_app(engine)
    played = run(app, clock, A_BUSY_SEASON)
    assert (played.accepted, played.refused) == (len(A_BUSY_SEASON), 0)  # a season with no mistakes
    user_id = played.user_id
    incremental = snapshot(engine)
    assert incremental["v_progress"], "the season produced progress"
    app.projection.rebuild()
    assert snapshot(engine) == incremental
    lines = {line.as_dict()["action"]: line.as_dict() for line in progress.progress(app, user_id)}
    assert lines["attend-event"]["done"] == 1  # in Los Angeles' current month


def test_concurrent_catch_ups_apply_every_event_exactly_once(
    engine: Engine, make_app: Callable[[Engine], App], clock: FixedClock
) -> None:
    app = make_app(engine)
    user_id = users.register(app, "me", "Europe/Berlin").user_id
    goal_id = goals.set_goal(app, user_id, GoalSpec(action="follow-up", target=50, frame="month")).goal_id
    # Append many actions without projecting them, then let four workers race to catch up.
    profile = app.profile(user_id)
    made = [decisions.log_action(profile, f"action-{i}", "follow-up", clock(), clock()) for i in range(120)]
    for start in range(0, len(made), 7):
        app.store.append(_actions_batch(app, user_id, made[start : start + 7]))
    errors: list[BaseException] = []

    def catch_up() -> None:
        try:
            app.projection.catch_up(batch_size=5)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=catch_up) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    counts = {
        line.progress.goal.goal_id: line.progress.current.done for line in progress.progress(app, user_id)
    }
    assert counts[goal_id] == 120
    with engine.connect() as connection:
        positions = dict(connection.execute(select(checkpoints.c.name, checkpoints.c.position)).all())
    assert positions["progress"] == positions["actions"] == app.store.head_position()
    incremental = snapshot(engine)
    app.projection.rebuild()
    assert snapshot(engine) == incremental


def test_a_catch_up_out_of_time_stops_between_batches_and_the_next_goes_on(
    engine: Engine, make_app: Callable[[Engine], App], clock: FixedClock
) -> None:
    """The workers' sweep catches the whole log up within a budget (Celery's threads pool times
    nothing out): one batch at least, none started after the budget; the next catch-up goes on
    from the checkpoint and every event is applied once."""
    app = make_app(engine)
    user_id = users.register(app, "me", "Europe/Berlin").user_id
    goal_id = goals.set_goal(app, user_id, GoalSpec(action="follow-up", target=50, frame="month")).goal_id
    profile = app.profile(user_id)
    made = [decisions.log_action(profile, f"action-{i}", "follow-up", clock(), clock()) for i in range(30)]
    app.store.append(_actions_batch(app, user_id, made))  # appended, not projected
    assert app.projection.catch_up(batch_size=5, budget_seconds=-1) > 0  # a batch of each projection
    assert app.projection.position("progress") < app.store.head_position()
    assert app.projection.catch_up(batch_size=5) > 0
    assert app.projection.position("progress") == app.store.head_position()
    counts = {
        line.progress.goal.goal_id: line.progress.current.done for line in progress.progress(app, user_id)
    }
    assert counts[goal_id] == len(made)


def _actions_batch(app: App, user_id: str, decided: list[Event]) -> StreamAppend:
    ids = app.event_ids(user_id, None, len(decided))
    events = [NewEvent(i, e.type, e.data) for i, e in zip(ids, decided, strict=True)]
    return StreamAppend(actions_stream(user_id), None, events)


def test_idempotency_keys_make_retried_commands_append_nothing(
    engine: Engine, make_app: Callable[[Engine], App]
) -> None:
    app = make_app(engine)
    user_id = users.register(app, "me", "UTC").user_id
    first = goals.set_goal(app, user_id, GoalSpec(template="monthly-event"), key="k1")
    head = app.store.head_position()
    again = goals.set_goal(app, user_id, GoalSpec(template="monthly-event"), key="k1")
    assert again.goal_id == first.goal_id
    contact = contacts.add_contact(app, user_id, ContactSpec(name="Ada"), key="k2")
    assert contacts.add_contact(app, user_id, ContactSpec(name="Ada"), key="k2") == contact
    action = actions.log_action(app, user_id, "attend-event", key="k3")
    assert actions.log_action(app, user_id, "attend-event", key="k3") == action
    assert app.store.head_position() == head + 2
    assert progress.progress(app, user_id)[0].progress.current.period.start == date(2026, 11, 1)
