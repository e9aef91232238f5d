"""The `netgoals` CLI through its real entry point, as a person uses it (a new process per command)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

NOW = "2026-11-28T10:00:00+01:00"
Run = Callable[..., subprocess.CompletedProcess[str]]


def _executable() -> list[str]:
    installed = shutil.which("netgoals", path=str(Path(sys.executable).parent))
    return [installed] if installed else [sys.executable, "-m", "cli.main"]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def netgoals(home: Path) -> Run:
    return _runner_for(home)


def _runner_for(home: Path) -> Run:
    """`netgoals` as a new process on its own store (NETGOALS_HOME), at a fixed time."""

    def run(*args: str, ok: bool = True, now: str = NOW) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NETGOALS_")}
        env |= {"NETGOALS_HOME": str(home), "NETGOALS_NOW": now, "COLUMNS": "120"}
        result = subprocess.run([*_executable(), *args], env=env, capture_output=True, text=True, timeout=60)
        if ok:
            assert result.returncode == 0, result.stderr
        return result

    return run


def _event_count(home: Path) -> int:
    with sqlite3.connect(home / "netgoals.db") as connection:
        return int(connection.execute("SELECT count(*) FROM events").fetchone()[0])


def _json(result: subprocess.CompletedProcess[str]) -> object:
    return json.loads(result.stdout)


def test_the_tour_from_the_issue(netgoals: Run) -> None:
    netgoals("init", "--timezone", "Europe/Berlin")
    netgoals("aspiration", "add", "Move into a product role at a climate startup", "--kind", "new-job")
    netgoals("goal", "add", "--template", "monthly-event")
    netgoals("goal", "add", "--template", "weekly-outreach")
    ada = _json(
        netgoals(
            "contact",
            "add",
            "Ada Lovelace",
            "--email",
            "ada@example.org",
            "--strength",
            "2",
            "--tag",
            "mentor",
            "--json",
        )
    )
    assert isinstance(ada, dict)
    netgoals(
        "goal", "add", "--template", "mentor", "--contact", ada["contact_id"], "--deadline", "2027-05-28"
    )
    netgoals("log", "attend-event", "Climate Tech Meetup", "--at", "2026-11-20 19:00")
    netgoals(
        "log", "reach-out", "--contact", ada["contact_id"][:8], "--note", "asked about her move to product"
    )

    progress = _json(netgoals("progress", "--json"))
    assert isinstance(progress, list)
    by_action = {row["action"]: row for row in progress}
    monthly, weekly, mentor = by_action["attend-event"], by_action["reach-out"], by_action["meet-mentor"]
    assert (monthly["frame"], monthly["done"], monthly["target"], monthly["status"]) == ("month", 1, 1, "met")
    assert (monthly["period_start"], monthly["period_end"]) == ("2026-11-01", "2026-11-30")
    assert (weekly["frame"], weekly["done"], weekly["status"], weekly["streak"]) == ("week", 1, "met", 1)
    assert (mentor["frame"], mentor["target"], mentor["done"]) == ("deadline", 6, 0)
    assert mentor["expected_by_now"] == 0 and mentor["slack_days"] > 0
    for row in progress:
        assert {"goal_id", "title", "best_streak", "period_start", "period_end"} <= row.keys()

    table = netgoals("progress").stdout
    assert "Attend one networking event per month" in table and "met" in table
    network = _json(netgoals("network", "--json"))
    assert isinstance(network, dict)
    assert [c["name"] for c in network["new_this_week"]] == ["Ada Lovelace"]
    assert network["by_strength"]["2"] == 1
    assert "Ada Lovelace" in netgoals("network").stdout


def test_as_of_answers_what_progress_looked_like_then(netgoals: Run) -> None:
    netgoals("init", "--timezone", "Europe/Berlin", now="2026-10-01T09:00:00+02:00")
    netgoals("goal", "add", "--template", "monthly-event", now="2026-10-01T09:00:00+02:00")
    netgoals(
        "log", "attend-event", "October mixer", "--at", "2026-10-20 19:00", now="2026-10-21T09:00:00+02:00"
    )
    netgoals("log", "attend-event", "Climate Tech Meetup", "--at", "2026-11-20 19:00")
    then = _json(netgoals("progress", "--json", "--as-of", "2026-10-10"))
    assert isinstance(then, list)
    assert (then[0]["period_start"], then[0]["done"], then[0]["status"]) == ("2026-10-01", 0, "on-track")
    end_of_october = _json(netgoals("progress", "--json", "--as-of", "2026-10-31"))
    assert isinstance(end_of_october, list)
    assert (end_of_october[0]["done"], end_of_october[0]["status"], end_of_october[0]["streak"]) == (
        1,
        "met",
        1,
    )
    now = _json(netgoals("progress", "--json"))
    assert isinstance(now, list)
    assert (now[0]["period_start"], now[0]["done"], now[0]["streak"]) == ("2026-11-01", 1, 2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["goal", "add", "--template", "monthly-event", "--target", "0"], "target 0"),
        (
            ["goal", "add", "--action", "reach-out", "--target", "1", "--deadline", "2026-02-30"],
            "invalid deadline",
        ),
        (
            ["goal", "add", "--action", "reach-out", "--target", "1", "--deadline", "2025-01-01"],
            "in the past",
        ),
        (["goal", "pause", "ffffffff"], "no goal"),
        (["log", "reach-out", "--contact", "nobody-here"], "no contact"),
        (["log", "attend-event", "--at", "yesterday-ish"], "invalid --at"),
        (["init", "--timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["retract", "0000000000"], "no action"),
        (["contact", "add", "Ada", "--strength", "9"], "strength 9"),
    ],
)
def test_bad_input_gets_one_line_exit_2_and_no_event(
    netgoals: Run, home: Path, args: list[str], message: str
) -> None:
    netgoals("init", "--timezone", "Europe/Berlin")
    before = _event_count(home)
    result = netgoals(*args, ok=False)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert _event_count(home) == before


def test_commands_before_init_say_so(netgoals: Run) -> None:
    result = netgoals("progress", ok=False)
    assert result.returncode == 2
    assert "netgoals init" in result.stderr


def test_init_again_changes_only_what_it_names(netgoals: Run, home: Path) -> None:
    """Issue 22, item 5: `netgoals init` with no options reset an account to UTC, budget 5 and a
    Monday week start."""
    netgoals("init", "--timezone", "Europe/Berlin", "--week-start", "sunday", "--budget", "3")
    before = _event_count(home)
    again = netgoals("init").stdout
    assert "Europe/Berlin" in again and "budget 3" in again and "Sunday" in again
    assert _event_count(home) == before  # nothing to change: nothing appended
    netgoals("init", "--budget", "4")
    [changed] = _json(netgoals("history", "--json", "--limit", "1"))  # type: ignore[misc]
    assert changed["type"] == "user.settings-changed"
    assert {k: v for k, v in changed["data"].items() if k != "at"} == {"weekly_budget": 4}


def test_retract_revise_pause_and_history(netgoals: Run) -> None:
    netgoals("init", "--timezone", "UTC")
    goal = _json(
        netgoals("goal", "add", "--action", "follow-up", "--target", "2", "--frame", "week", "--json")
    )
    assert isinstance(goal, dict)
    first = _json(netgoals("log", "follow-up", "--json"))
    netgoals("log", "follow-up")
    assert isinstance(first, dict)
    assert _json(netgoals("progress", "--json"))[0]["status"] == "met"  # type: ignore[index]
    netgoals("retract", first["action_id"], "--reason", "logged twice")
    assert _json(netgoals("progress", "--json"))[0]["done"] == 1  # type: ignore[index]
    again = netgoals("retract", first["action_id"], ok=False)
    assert again.returncode == 2 and "already retracted" in again.stderr
    netgoals("goal", "revise", goal["goal_id"][:8], "--target", "3")
    listed = _json(netgoals("goal", "list", "--json"))
    assert isinstance(listed, list)
    assert listed[0]["targets"] == [{"from": "2026-11-28", "target": 2}, {"from": "2026-11-30", "target": 3}]
    netgoals("goal", "pause", goal["goal_id"])
    assert _json(netgoals("progress", "--json"))[0]["status"] == "paused"  # type: ignore[index]
    history = _json(netgoals("history", "--json", "--limit", "3"))
    assert isinstance(history, list)
    assert [h["type"] for h in history] == ["goal.paused", "goal.revised", "action.retracted"]


def test_export_import_round_trip_and_an_all_or_nothing_import(
    netgoals: Run, home: Path, tmp_path: Path
) -> None:
    netgoals("init", "--timezone", "Europe/Berlin")
    netgoals("goal", "add", "--template", "monthly-event")
    netgoals("log", "attend-event", "Meetup", "--at", "2026-11-20 19:00")
    dump = tmp_path / "events.jsonl"
    netgoals("export", "--output", str(dump))
    lines = dump.read_text().splitlines()
    assert len(lines) == 4 and all(json.loads(line)["event_id"] for line in lines)

    other_home = tmp_path / "other"
    env_run = _runner_for(other_home)
    assert "Imported 4 new events" in env_run("import", str(dump)).stdout
    assert "Imported 0 new events" in env_run("import", str(dump)).stdout  # twice: nothing new
    mine, theirs = _json(netgoals("progress", "--json")), _json(env_run("progress", "--json"))
    assert mine == theirs

    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join([*lines[:2], "{not json", *lines[2:]]) + "\n")
    third = _runner_for(tmp_path / "third")
    result = third("import", str(broken), ok=False)
    assert result.returncode == 2 and "line 3" in result.stderr
    assert not (tmp_path / "third" / "netgoals.db").exists() or _event_count(tmp_path / "third") == 0


def test_rebuild_reproduces_progress(netgoals: Run) -> None:
    netgoals("init", "--timezone", "Europe/Berlin")
    netgoals("goal", "add", "--template", "weekly-outreach")
    bob = _json(netgoals("contact", "add", "Bob", "--json"))
    assert isinstance(bob, dict)
    netgoals("log", "reach-out", "--contact", "Bob")
    before = _json(netgoals("progress", "--json"))
    result = netgoals("rebuild")
    assert "Rebuilt from" in result.stdout
    assert _json(netgoals("progress", "--json")) == before


def test_the_demo_runs_on_a_throw_away_store(netgoals: Run, home: Path) -> None:
    result = netgoals("demo")
    assert "Climate Tech Meetup" in result.stdout and "Where you stand" in result.stdout
    assert not (home / "netgoals.db").exists()


def test_answers_name_things_by_their_titles_and_actions_in_words(netgoals: Run) -> None:
    """Issue 24: "Goal set: 20f6d71d-…", "Contact f4ebb4bd updated." — ids where a person reads."""
    netgoals("init", "--timezone", "Europe/Berlin")
    aspiration = netgoals("aspiration", "add", "Move into product", "--kind", "new-job").stdout
    goal = netgoals("goal", "add", "--template", "monthly-event").stdout
    [listed] = _json(netgoals("goal", "list", "--json"))  # type: ignore[misc]
    assert goal.strip() == f"Goal set: {listed['title']} ({listed['goal_id'][:8]})"
    assert aspiration.startswith("Aspiration added: Move into product (")
    added = netgoals("contact", "add", "Ada Lovelace", "--email", "ada@example.org").stdout
    assert added.startswith("Contact added: Ada Lovelace (")
    assert netgoals("contact", "update", "Ada", "--name", "Ada King").stdout.strip() == "Ada King updated."
    logged = netgoals("log", "attend-event", "Python Meetup", "--at", "2026-11-20").stdout
    assert logged.startswith("Logged: attend an event “Python Meetup” (") and "attend-event" not in logged
    short_id = logged.rsplit("(", 1)[1].split(")")[0]
    retracted = netgoals("retract", short_id).stdout
    assert retracted.strip() == f"Retracted: attend an event on 2026-11-20 ({short_id})."
    paused = netgoals("goal", "pause", listed["goal_id"][:8]).stdout
    assert paused.strip() == f"Goal paused: {listed['title']} ({listed['goal_id'][:8]})"
    revised = netgoals("goal", "revise", listed["goal_id"][:8], "--target", "2").stdout
    assert revised.strip() == f"Goal revised: {listed['title']} ({listed['goal_id'][:8]})"
