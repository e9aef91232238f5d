"""Random command sequences for property tests: a person using netgoals over a few months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import uuid4

from hypothesis import strategies as st
from sqlalchemy import Engine, select

from domain import events as ev
from domain.decisions import ContactSpec, GoalSpec, PreferenceSpec
from domain.errors import DomainError
from domain.events import Event
from integrations.storage.schema import VIEW_TABLES
from service import actions, confirmation, contacts, goals, users
from service.app import App

KINDS = ("attend-event", "reach-out", "meet-mentor", "follow-up")


@dataclass(frozen=True)
class Step:
    op: str
    args: tuple[Any, ...]


steps = st.lists(
    st.one_of(
        st.builds(Step, st.just("contact"), st.tuples(st.integers(1, 5))),
        st.builds(
            Step,
            st.just("goal"),
            st.tuples(st.sampled_from(["monthly-event", "weekly-outreach", "mentor", "quarterly", "custom"])),
        ),
        st.builds(
            Step,
            st.just("log"),
            st.tuples(
                st.sampled_from(KINDS), st.integers(0, 24 * 120), st.lists(st.integers(0, 9), max_size=2)
            ),
        ),
        st.builds(Step, st.just("retract"), st.tuples(st.integers(0, 50))),
        st.builds(
            Step,
            st.just("lifecycle"),
            st.tuples(st.sampled_from(["pause", "resume", "archive", "revise", "prefer"]), st.integers(0, 9)),
        ),
        st.builds(Step, st.just("advance"), st.tuples(st.integers(1, 24 * 20))),
        # planned blocks (as a sync plans them), the user's answers and the confirmation sweep
        st.builds(Step, st.just("block"), st.tuples(st.integers(-24 * 30, 24 * 10), st.integers(0, 9))),
        st.builds(Step, st.just("answer"), st.tuples(st.integers(0, 20), st.sampled_from(["done", "skip"]))),
        st.builds(Step, st.just("sweep"), st.tuples()),
        st.builds(
            Step,
            st.just("timezone"),
            st.tuples(st.sampled_from(["Europe/Berlin", "America/Los_Angeles", "Asia/Tokyo"])),
        ),
    ),
    max_size=30,
)


def run(app: App, clock: Any, scenario: list[Step]) -> str:
    """Play a scenario through the service layer; rejected commands are part of life."""
    user_id = users.register(app, "me", "Europe/Berlin").user_id
    contact_ids: list[str] = []
    goal_ids: list[str] = []
    action_ids: list[str] = []
    block_ids: list[str] = []
    for step in scenario:
        try:
            if step.op == "contact":
                spec = ContactSpec(name=f"Contact {len(contact_ids)}", strength=step.args[0])
                contact_ids.append(contacts.add_contact(app, user_id, spec))
            elif step.op == "goal":
                goal_ids.append(
                    goals.set_goal(app, user_id, _goal_spec(step.args[0], contact_ids, clock)).goal_id
                )
            elif step.op == "log":
                kind, hours_ago, picks = step.args
                chosen = tuple({contact_ids[p % len(contact_ids)] for p in picks} if contact_ids else ())
                at = clock() - timedelta(hours=hours_ago)
                action_ids.append(actions.log_action(app, user_id, kind, at, contact_ids=chosen))
            elif step.op == "retract" and action_ids:
                actions.retract_action(app, user_id, action_ids[step.args[0] % len(action_ids)])
            elif step.op == "lifecycle" and goal_ids:
                verb, index = step.args
                goal_id = goal_ids[index % len(goal_ids)]
                if verb == "revise":
                    goals.revise_goal(app, user_id, goal_id, target=2)
                elif verb == "prefer":
                    spec = PreferenceSpec(
                        duration=30 + index,
                        days="mon-fri" if index % 2 else None,
                        keywords=("demo night",) if index % 4 == 1 else None,
                        domains=("acme.com",) if index % 5 == 2 else None,
                    )
                    goals.set_preferences(app, user_id, goal_id, spec, replace=index % 3 == 0)
                else:
                    {"pause": goals.pause_goal, "resume": goals.resume_goal, "archive": goals.archive_goal}[
                        verb
                    ](app, user_id, goal_id)
            elif step.op == "block":
                block_ids.append(_plan_block(app, user_id, goal_ids, clock, *step.args))
            elif step.op == "answer" and block_ids:
                index, answer = step.args
                confirmation.confirm(app, user_id, block_ids[index % len(block_ids)], answer, "cli")
            elif step.op == "sweep":
                confirmation.sweep(app, user_id)
            elif step.op == "advance":
                clock.now = clock.now + timedelta(hours=step.args[0])
            elif step.op == "timezone":
                users.change_settings(app, user_id, timezone=step.args[0])
        except DomainError:
            pass
    return user_id


def _plan_block(app: App, user_id: str, goal_ids: list[str], clock: Any, hours: int, pick: int) -> str:
    """A block as the planner would append it (the Google sync is not needed to have one)."""
    profile = app.profile(user_id)
    goal = profile.goals.get(goal_ids[pick % len(goal_ids)]) if goal_ids and pick < 8 else None
    start = clock() + timedelta(hours=hours)
    block_id = str(uuid4())
    data = {
        "action_id": block_id,
        "goal_id": goal.goal_id if goal else None,
        "kind": goal.action if goal else "follow-up",
        "start": start.isoformat(),
        "end": (start + timedelta(hours=1)).isoformat(),
        "title": f"Networking: {goal.title if goal else 'follow up'}",
    }
    app.append_actions(user_id, [Event(ev.ACTION_PLANNED, data)])
    return block_id


def _goal_spec(kind: str, contact_ids: list[str], clock: Any) -> GoalSpec:
    start = (clock() - timedelta(days=90)).date()
    if kind == "mentor":
        return GoalSpec(template="mentor", contact_ids=tuple(contact_ids[:1]), start=start)
    if kind == "quarterly":
        return GoalSpec(action="follow-up", target=3, frame="quarter", start=start)
    if kind == "custom":
        return GoalSpec(
            action="reach-out", target=2, frame="week", start=start, duration=20, hours="08:00-09:00"
        )
    return GoalSpec(template=kind, start=start)


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every view row, in a stable order."""
    with engine.connect() as connection:
        return {
            table.name: sorted(tuple(row) for row in connection.execute(select(table)))
            for table in VIEW_TABLES
        }
