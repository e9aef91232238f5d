"""The CLI starts without loading what a command does not need (not timed: bench/cli_start.py is).

Each check runs `netgoals` in a new process, as a shell runs it, and lists the modules it imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from typer._click.utils import make_default_short_help

from cli.lazy import load
from cli.main import COMMANDS

# The stacks of other commands (the store, Google, Celery, the web server) and the settings library.
HEAVY = (
    "sqlalchemy",
    "alembic",
    "google",
    "googleapiclient",
    "celery",
    "fastapi",
    "uvicorn",
    "pydantic_settings",
)

_PROBE = """
import json, sys
sys.argv = ["netgoals", *json.loads(sys.argv[1])]
from cli.main import app
try:
    app()
except SystemExit as stop:
    code = stop.code
else:
    code = 0
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + " EXIT " + json.dumps(code) + "\\n")
"""


def _run(home: Path, *args: str) -> tuple[str, set[str], object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETGOALS_")}
    env |= {"NETGOALS_HOME": str(home), "NETGOALS_NOW": "2026-11-28T10:00:00+01:00", "COLUMNS": "120"}
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args)], env=env, capture_output=True, text=True, timeout=60
    )
    tail = result.stderr.rpartition("\nMODULES ")[2]
    modules, _, code = tail.partition(" EXIT ")
    return result.stdout, {m.split(".")[0] for m in json.loads(modules)}, json.loads(code)


def _netgoals(home: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETGOALS_")}
    env |= {"NETGOALS_HOME": str(home), "NETGOALS_NOW": "2026-11-28T10:00:00+01:00", "COLUMNS": "120"}
    command = [sys.executable, "-m", "cli.main", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=True).stdout


def test_help_lists_every_command_and_loads_none_of_them(tmp_path: Path) -> None:
    output, modules, code = _run(tmp_path, "--help")
    assert code == 0
    for entry in COMMANDS:
        assert f"  {entry.name} " in output
    assert not modules & set(HEAVY), modules & set(HEAVY)
    # Nor the command modules themselves: only the registry and the lazy group.
    assert not {m for m in modules if m.startswith("cli.")} - {"cli.main", "cli.lazy"}


def test_version_is_the_package_version(tmp_path: Path) -> None:
    output, modules, code = _run(tmp_path, "--version")
    assert code == 0
    assert output.strip() == f"netgoals {version('netgoals')}"
    assert not modules & set(HEAVY)


def test_progress_on_a_current_store_loads_no_database_library_beyond_sqlite3(tmp_path: Path) -> None:
    _netgoals(tmp_path, "init", "--timezone", "Europe/Berlin")
    _netgoals(tmp_path, "goal", "add", "--template", "monthly-event")
    _netgoals(tmp_path, "log", "attend-event", "Meetup", "--at", "2026-11-20")
    output, modules, code = _run(tmp_path, "progress", "--json")
    assert code == 0
    assert [line["done"] for line in json.loads(output)] == [1]
    assert not modules & set(HEAVY), modules & set(HEAVY)


def test_a_command_loads_only_its_own_stack(tmp_path: Path) -> None:
    """`goal list` opens the store (SQLAlchemy) but never loads Google, Celery or the web server."""
    _netgoals(tmp_path, "init")
    _, modules, code = _run(tmp_path, "goal", "list")
    assert code == 0
    assert "sqlalchemy" in modules
    assert not modules & {"google", "googleapiclient", "celery", "fastapi", "uvicorn"}


@pytest.mark.parametrize("entry", COMMANDS, ids=lambda e: e.name)
def test_each_registered_summary_is_the_commands_own_help(entry: object) -> None:
    from cli.lazy import Lazy

    assert isinstance(entry, Lazy)
    command = load(entry, None)
    assert command.name == entry.name
    assert make_default_short_help(entry.summary, 1000) == command.get_short_help_str(1000)


def test_names_are_unique() -> None:
    names = [entry.name for entry in COMMANDS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("command", [["progress"], ["goal", "list"]])
def test_a_bad_setting_is_a_one_line_error(tmp_path: Path, command: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETGOALS_")}
    env |= {"NETGOALS_HOME": str(tmp_path), "NETGOALS_NOW": "yesterday"}
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", *command], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "error: setting NETGOALS_NOW: expected an ISO date and time, got 'yesterday'"
    )
    assert not (tmp_path / "netgoals.db").exists()  # nothing was opened, nothing changed
