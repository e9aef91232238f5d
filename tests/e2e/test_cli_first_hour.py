"""The first hour of a new user at the terminal (issue 11 §3), through the real entry point: names
for contacts, relative times, typos questioned, duplicates refused or questioned, readable errors
and history."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from cli import render
from cli.main import app
from tests.e2e.test_cli import NOW, Run, _event_count, home, netgoals  # noqa: F401  (fixtures)

Cli = Callable[..., Result]


@pytest.fixture
def cli(home: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:  # noqa: F811
    """The same commands in this process (quicker): a real store in NETGOALS_HOME, a fixed time."""
    runner = CliRunner()
    # Rich sizes its console once, when cli.render is first imported (by whichever test came
    # first in this process); a real `netgoals` process reads COLUMNS at start, so do the same here.
    monkeypatch.setattr(render.console, "width", 120)
    env = {"NETGOALS_HOME": str(home), "NETGOALS_NOW": NOW, "COLUMNS": "120", "NETGOALS_DATABASE_URL": ""}

    def run(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(app, list(args), env=env)
        if ok:
            assert result.exit_code == 0, result.stderr + result.stdout
        return result

    return run


def test_names_times_and_typos(cli: Cli, home: Path) -> None:  # noqa: F811
    cli("init", "--timezone", "Europe/Berlin")
    cli("contact", "add", "Ada Lovelace", "--email", "ada@engine.org")
    cli("contact", "add", "Grace Hopper")
    # a unique start of a name, in any case; "yesterday 19:00" in the user's zone
    cli("log", "reach-out", "--contact", "ada", "--at", "yesterday 19:00")
    missing = cli("log", "reach-out", "--contact", "Linus", ok=False)
    assert missing.exit_code == 2 and "no contact named or with id 'Linus'" in missing.stderr
    typo = cli("log", "atend-event", ok=False)
    assert typo.exit_code == 2
    assert "did you mean attend-event?" in typo.stderr and "--new-kind" in typo.stderr
    empty = cli("log", "reach-out", "--at", "", ok=False)
    assert empty.exit_code == 2 and "--at is empty" in empty.stderr
    before = _event_count(home)
    cli("log", "podcast-guest", "--new-kind")
    assert _event_count(home) == before + 1
    # the history: the user's zone with its offset, who it was with, a "what" for every kind
    history = cli("history", "--limit", "4").stdout
    assert "2026-11-27 19:00+01:00" in history
    assert "Reached out" in history and "Ada Lovelace" in history
    assert "podcast guest" in history.lower()
    assert "reach-out" not in history and "contact.added" not in history
    raw = json.loads(cli("history", "--json", "--limit", "1").stdout)
    assert raw[0]["type"] == "action.done"  # scripts keep the raw log


def test_a_refused_command_is_one_line_in_a_pipe(netgoals: Run) -> None:  # noqa: F811
    netgoals("init", "--timezone", "Europe/Berlin")
    netgoals("contact", "add", "Ada Lovelace", "--email", "ada@engine.org")
    same_email = netgoals("contact", "add", "A. Lovelace", "--email", "ADA@engine.org", ok=False)
    assert same_email.returncode == 2
    line = same_email.stderr.strip()
    assert "\n" not in line and len(line) > 80  # not wrapped at 80 columns into a pipe
    assert "Ada Lovelace already has the email ada@engine.org" in line


def test_duplicates_and_past_starts_are_questioned(cli: Cli) -> None:
    cli("init", "--timezone", "Europe/Berlin")
    cli("contact", "add", "Ada Lovelace", "--email", "ada@engine.org")
    namesake = cli("contact", "add", "ada lovelace")
    assert "you already have a contact named Ada Lovelace" in namesake.stderr
    nothing = cli("goal", "add", ok=False)
    assert "give --template" in nothing.stderr and "--action and --target" in nothing.stderr
    cli("goal", "add", "--template", "monthly-event")
    twice = cli("goal", "add", "--template", "monthly-event")
    assert "you already have this goal" in twice.stderr
    past = cli(
        "goal", "add", "--action", "follow-up", "--target", "1", "--frame", "month", "--start", "2026-01-10"
    )
    assert "10 earlier months count too" in past.stderr


def test_goals_link_to_aspirations_and_help_reads_whole(cli: Cli) -> None:
    cli("init", "--timezone", "Europe/Berlin")
    cli("aspiration", "add", "Move into climate tech", "--kind", "new-job")
    cli("goal", "add", "--template", "monthly-event")
    cli("goal", "revise", "attend one", "--aspiration", "move into")
    goal = json.loads(cli("goal", "list", "--json").stdout)[0]
    aspiration = json.loads(cli("aspiration", "list", "--json").stdout)[0]
    assert goal["aspiration_id"] == aspiration["aspiration_id"]
    cli("aspiration", "edit", "move", "--text", "Move into climate software")
    assert "Move into climate software" in cli("progress").stdout
    cli("goal", "revise", "attend one", "--no-aspiration")
    assert json.loads(cli("goal", "list", "--json").stdout)[0]["aspiration_id"] is None
    helped = cli("goal", "--help").stdout
    assert "which calendar events count for it (keywords, domains). Without" in " ".join(
        helped.replace("│", " ").split()
    )
    assert "<bool>" not in cli("log", "--help").stdout
