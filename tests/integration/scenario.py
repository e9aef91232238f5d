"""Random command sequences for property tests: a person using netgoals over a few months."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import uuid4

from hypothesis import strategies as st
from sqlalchemy import Engine, select

from domain.calendars.confirmation import needs_whom
from domain.decisions import ContactSpec, GoalSpec, PreferenceSpec
from domain.errors import DomainError
from domain.event_types import facts
from integrations.storage.schema import VIEW_TABLES
from service.access import users
from service.app import App
from service.people import contacts
from service.tracking import actions, confirmation, goals

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


@dataclass
class Played:
    """What a scenario did: the user, and how many commands the service accepted and refused."""

    user_id: str
    accepted: int = 0
    refused: int = 0


@dataclass
class _Model:
    """Just enough state to know which commands the service must refuse."""

    contacts: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    paused: set[str] = field(default_factory=set)
    archived: set[str] = field(default_factory=set)
    actions: list[str] = field(default_factory=list)
    retracted: set[str] = field(default_factory=set)
    blocks: list[str] = field(default_factory=list)

    def must_refuse(self, step: Step) -> bool:
        if step.op == "goal":
            return step.args[0] == "mentor" and not self.contacts  # a mentor goal names a person
        if step.op == "retract":
            return bool(self.actions) and self._action(step) in self.retracted
        if step.op == "lifecycle" and self.goals:
            verb, goal_id = step.args[0], self._goal(step)
            if goal_id in self.archived:
                return True
            return (verb == "pause" and goal_id in self.paused) or (
                verb == "resume" and goal_id not in self.paused
            )
        return False  # adding contacts, logging past actions, the clock and the time zone

    def _goal(self, step: Step) -> str:
        return self.goals[step.args[1] % len(self.goals)]

    def _action(self, step: Step) -> str:
        return self.actions[step.args[0] % len(self.actions)]

    def accepted(self, step: Step) -> None:
        if step.op == "retract" and self.actions:
            self.retracted.add(self._action(step))
        elif step.op == "lifecycle" and self.goals:
            verb, goal_id = step.args[0], self._goal(step)
            if verb == "pause":
                self.paused.add(goal_id)
            elif verb == "resume":
                self.paused.discard(goal_id)
            elif verb == "archive":
                self.archived.add(goal_id)


def run(app: App, clock: Any, scenario: list[Step]) -> Played:
    """Play a scenario through the service layer. Some commands must be refused (resuming a goal
    that is not paused...): the model says which, and any other refusal — or a command the model
    expected refused that went through — fails the scenario, so it cannot pass by doing nothing."""
    played = Played(users.register(app, "me", "Europe/Berlin").user_id)
    model = _Model()
    for step in scenario:
        expect_refusal = model.must_refuse(step) or _answer_refused(app, clock, played.user_id, model, step)
        try:
            _play(app, clock, played.user_id, model, step)
        except DomainError as exc:
            if not expect_refusal:
                raise AssertionError(f"{step} was refused: {exc}") from exc
            played.refused += 1
            continue
        assert not expect_refusal, f"{step} should have been refused"
        model.accepted(step)
        played.accepted += 1
    return played


def _play(app: App, clock: Any, user_id: str, model: _Model, step: Step) -> None:
    if step.op == "contact":
        spec = ContactSpec(name=f"Contact {len(model.contacts)}", strength=step.args[0])
        model.contacts.append(contacts.add_contact(app, user_id, spec))
    elif step.op == "goal":
        model.goals.append(
            goals.set_goal(app, user_id, _goal_spec(step.args[0], model.contacts, clock)).goal_id
        )
    elif step.op == "log":
        kind, hours_ago, picks = step.args
        chosen = tuple({model.contacts[p % len(model.contacts)] for p in picks} if model.contacts else ())
        at = clock() - timedelta(hours=hours_ago)
        model.actions.append(actions.log_action(app, user_id, kind, at, contact_ids=chosen))
    elif step.op == "retract" and model.actions:
        actions.retract_action(app, user_id, model._action(step))
    elif step.op == "lifecycle" and model.goals:
        verb, index = step.args
        goal_id = model._goal(step)
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
            {"pause": goals.pause_goal, "resume": goals.resume_goal, "archive": goals.archive_goal}[verb](
                app, user_id, goal_id
            )
    elif step.op == "block":
        model.blocks.append(_plan_block(app, user_id, model.goals, clock, *step.args))
    elif step.op == "answer" and model.blocks:
        index, answer = step.args
        confirmation.confirm(app, user_id, model.blocks[index % len(model.blocks)], answer, "cli")
    elif step.op == "sweep":
        confirmation.sweep(app, user_id)
    elif step.op == "advance":
        clock.now = clock.now + timedelta(hours=step.args[0])
    elif step.op == "timezone":
        users.change_settings(app, user_id, timezone=step.args[0])


def _answer_refused(app: App, clock: Any, user_id: str, model: _Model, step: Step) -> bool:
    """An answer is refused for a block still to come, "skip" for one already done or fulfilled,
    and a first "done" that names no one for a goal that counts only actions with a contact (the
    rest of the rule: a second same answer, or a late "done", goes through)."""
    if step.op != "answer" or not model.blocks:
        return False
    index, answer = step.args
    block_id = model.blocks[index % len(model.blocks)]
    block = confirmation.block(app, user_id, block_id)
    if block.start > clock() or (answer == "skip" and block.state in ("done", "fulfilled")):
        return True
    if answer != "done" or block.state in ("done", "fulfilled"):
        return False
    profile = app.profile(user_id)
    planned = confirmation.ledger(app, user_id).blocks[block_id]
    goal = profile.goals.get(planned.goal_id) if planned.goal_id else None
    return needs_whom(planned, goal, profile.contacts)


def _plan_block(app: App, user_id: str, goal_ids: list[str], clock: Any, hours: int, pick: int) -> str:
    """A block as the planner would append it (the Google sync is not needed to have one)."""
    profile = app.profile(user_id)
    goal = profile.goals.get(goal_ids[pick % len(goal_ids)]) if goal_ids and pick < 8 else None
    start = clock() + timedelta(hours=hours)
    block_id = str(uuid4())
    planned = facts.action_planned(
        block_id,
        goal.goal_id if goal else None,
        goal.action if goal else "follow-up",
        start,
        start + timedelta(hours=1),
        f"Networking: {goal.title if goal else 'follow up'}",
        [],
        clock(),
    )
    app.append_actions(user_id, [planned])
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
