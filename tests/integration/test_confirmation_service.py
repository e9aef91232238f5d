"""The confirmation use cases on a real SQLite store: `netgoals confirm`, what the old rule
counted stays counted (and a rebuild gives the same numbers), and the sweep decides once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from cli.main import app as cli
from domain.decisions import ContactSpec, GoalSpec
from domain.errors import DomainError
from domain.event_types import events as ev
from domain.event_types.events import Event
from service.access import users
from service.app import App
from service.people import contacts
from service.read_models import progress as progress_service
from service.settings import Settings
from service.tracking import confirmation, goals
from tests.conftest import FixedClock

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def plan(
    app: App, user_id: str, start: datetime, goal_id: str | None = None, kind: str = "attend-event"
) -> str:
    action_id = str(uuid4())
    data = {
        "action_id": action_id,
        "goal_id": goal_id,
        "kind": kind,
        "start": start.isoformat(),
        "end": (start + timedelta(hours=2)).isoformat(),
        "title": "Networking: an evening out",
    }
    app.append_actions(user_id, [Event(ev.ACTION_PLANNED, data)])
    return action_id


def test_netgoals_confirm_lists_and_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETGOALS_HOME", str(tmp_path))
    monkeypatch.setenv("NETGOALS_NOW", NOW.isoformat())
    monkeypatch.setenv("COLUMNS", "150")
    app = App.open(Settings(home=tmp_path), lambda: NOW)
    user_id = users.register(app, "local", "Europe/Berlin").user_id
    first = plan(app, user_id, NOW - timedelta(days=2))
    second = plan(app, user_id, NOW - timedelta(days=1))
    future = plan(app, user_id, NOW + timedelta(days=1))
    app.close()
    runner = CliRunner()
    listed = runner.invoke(cli, ["confirm"])
    assert listed.exit_code == 0, listed.output
    assert first[:8] in listed.output and second[:8] in listed.output and future[:8] not in listed.output
    done = runner.invoke(cli, ["confirm", first[:8], "--done"])
    assert done.exit_code == 0 and "done, it counts" in done.output
    assert "Already so" in runner.invoke(cli, ["confirm", first, "--done"]).output
    skipped = runner.invoke(cli, ["confirm", second, "--skip", "--json"])
    assert skipped.exit_code == 0 and '"state": "skipped"' in skipped.output
    for bad, words in (
        ([future, "--done"], "has not started yet"),
        ([first, "--skip"], "already confirmed"),
        ([second, "--done", "--skip"], "--done (it happened) or --skip"),
        (["--done"], "say which block"),
        (["zzzzzzzz", "--done"], "no planned block"),
    ):
        refused = runner.invoke(cli, ["confirm", *bad])
        assert refused.exit_code == 2 and words in refused.output, refused.output
    assert "Nothing waits" in runner.invoke(cli, ["confirm"]).output
    app = App.open(Settings(home=tmp_path), lambda: NOW)
    types = [e.type for e in app.store.read_stream(f"actions-{user_id}")]
    assert types.count(ev.ACTION_DONE) == 1 and types.count(ev.ACTION_SKIPPED) == 1
    app.close()


def test_what_the_old_rule_counted_keeps_counting_and_a_rebuild_agrees(tmp_path: Path) -> None:
    clock = {"now": NOW}
    app = App.open(Settings(home=tmp_path), lambda: clock["now"])
    user_id = users.register(app, "me", "Europe/Berlin").user_id
    goal_id = goals.set_goal(app, user_id, GoalSpec(template="monthly-event")).goal_id
    # Before the upgrade: a block passed and a pull counted it as attended (the old rule) ...
    old = plan(app, user_id, NOW - timedelta(days=3), goal_id)
    done = {
        "action_id": old,
        "kind": "attend-event",
        "at": (NOW - timedelta(days=3)).isoformat(),
        "contact_ids": [],
        "title": "Networking: an evening out",
        "note": None,
        "source": "google",
        "logged_at": NOW.isoformat(),
    }
    app.append_actions(user_id, [Event(ev.ACTION_DONE, done)])
    # ... and another one passed that no pull had counted yet.
    waiting = plan(app, user_id, NOW - timedelta(days=2), goal_id)
    appended = confirmation.sweep(app, user_id)
    assert [e.type for e in appended] == [ev.CONFIRMATION_ADOPTED]  # the cut-over, nothing else
    assert confirmation.block(app, user_id, old).state == "done"  # history stays true
    assert [w.action_id for w in confirmation.waiting(app, user_id)] == [waiting]
    before = [line.as_dict() for line in progress_service.progress(app, user_id)]
    assert before[0]["done"] == 1
    # Its week counts from the cut-over (it ended before the rule existed) ...
    clock["now"] = NOW + timedelta(days=7) - timedelta(minutes=1)
    assert confirmation.sweep(app, user_id) == []
    clock["now"] = NOW + timedelta(days=7)
    assert [e.data["reason"] for e in confirmation.sweep(app, user_id)] == ["not confirmed"]
    assert confirmation.sweep(app, user_id) == []  # decided once
    # ... and a rebuild from the log gives the same numbers.
    clock["now"] = NOW
    app.projection.rebuild()
    assert [line.as_dict() for line in progress_service.progress(app, user_id)] == before
    app.close()


def _done_for(app: App, user_id: str, goal_id: str) -> int:
    lines = progress_service.progress(app, user_id)
    return next(line.progress.current.done for line in lines if line.progress.goal.goal_id == goal_id)


def test_a_confirmed_block_counts_for_the_goal_it_was_planned_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22, item 1: a confirmed mentor block and a confirmed new-contact block named nobody,
    so neither goal counted them although the page said "done — it counts"."""
    monkeypatch.setenv("NETGOALS_HOME", str(tmp_path))
    monkeypatch.setenv("NETGOALS_NOW", NOW.isoformat())
    monkeypatch.setenv("COLUMNS", "200")
    app = App.open(Settings(home=tmp_path), lambda: NOW)
    user_id = users.register(app, "local", "Europe/Berlin").user_id
    mentor = contacts.add_contact(app, user_id, ContactSpec(name="Margaret Hamilton"))
    grace = contacts.add_contact(app, user_id, ContactSpec(name="Grace Hopper"))
    mentor_goal = goals.set_goal(app, user_id, GoalSpec(template="mentor", contact_ids=(mentor,))).goal_id
    outreach = goals.set_goal(app, user_id, GoalSpec(template="weekly-outreach")).goal_id
    # A block planned before blocks carried their goal's contact: the goal's one mentor is it.
    met = plan(app, user_id, NOW - timedelta(hours=3), mentor_goal, kind="meet-mentor")
    reached = plan(app, user_id, NOW - timedelta(hours=2), outreach, kind="reach-out")
    app.close()
    runner = CliRunner()
    done = runner.invoke(cli, ["confirm", met, "--done"])
    assert done.exit_code == 0, done.output
    # Rich wraps at the terminal's width: compare words, not line breaks.
    assert "counts for Build a relationship with Margaret Hamilton" in " ".join(done.output.split())
    # A new-contact goal counts a new contact: "done" alone cannot count, so it asks with whom.
    refused = runner.invoke(cli, ["confirm", reached, "--done"])
    assert refused.exit_code == 2 and "with whom" in refused.output, refused.output
    answered = runner.invoke(cli, ["confirm", reached, "--done", "--with", "Grace"])
    assert answered.exit_code == 0 and "counts for Reach out" in answered.output, answered.output
    app = App.open(Settings(home=tmp_path), lambda: NOW)
    assert _done_for(app, user_id, mentor_goal) == 1
    assert _done_for(app, user_id, outreach) == 1
    done_events = [e.data for e in app.store.read_stream(f"actions-{user_id}") if e.type == ev.ACTION_DONE]
    assert [d["contact_ids"] for d in done_events] == [[mentor], [grace]]
    # Someone who is not a contact is refused by name, and nothing is appended.
    before = app.store.head_position()
    with pytest.raises(DomainError, match="no contact"):
        confirmation.confirm(app, user_id, reached, "done", "api", contact_ids=("nobody",))
    assert app.store.head_position() == before
    app.projection.rebuild()
    assert (_done_for(app, user_id, mentor_goal), _done_for(app, user_id, outreach)) == (1, 1)
    app.close()


def test_two_sweeps_that_read_the_same_log_skip_a_block_once(
    engine: Engine, make_app: Callable[[Engine], App], clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers sweep the same user at once: both decide the "not confirmed" skip from the same
    log, and the ids derived from the block make the second append nothing."""
    apps = [make_app(engine), make_app(engine)]
    user_id = users.register(apps[0], "me", "Europe/Berlin").user_id
    block = plan(apps[0], user_id, clock.now - timedelta(days=1))
    assert [e.type for e in confirmation.sweep(apps[0], user_id)] == [ev.CONFIRMATION_ADOPTED]
    clock.now += timedelta(days=8)
    settle = confirmation.rules.settle
    both_decided = threading.Barrier(2, timeout=30)

    def settle_together(*args: Any) -> Any:
        decided = settle(*args)
        both_decided.wait()  # neither appends before both have read the log
        return decided

    monkeypatch.setattr(confirmation.rules, "settle", settle_together)
    with ThreadPoolExecutor(2) as pool:
        appended = list(pool.map(lambda app: confirmation.sweep(app, user_id), apps))
    assert [[e.data["reason"] for e in a] for a in appended] == [["not confirmed"]] * 2  # both decided it
    skips = [e for e in apps[0].store.read_stream(f"actions-{user_id}") if e.type == ev.ACTION_SKIPPED]
    assert [(e.data["action_id"], e.data["reason"]) for e in skips] == [(block, "not confirmed")]
