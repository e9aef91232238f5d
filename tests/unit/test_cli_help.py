"""Every command's --help reads cleanly: options that take a value say what kind, flags show none
(Typer 0.29 printed "<bool>" after every flag, `--help` itself included)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer import _click as click
from typer.core import TyperGroup
from typer.main import get_command
from typer.testing import CliRunner

from cli.main import app


def _command_paths() -> list[tuple[str, ...]]:
    root = get_command(app)
    paths: list[tuple[str, ...]] = [()]
    pending: list[tuple[tuple[str, ...], click.Command]] = [((), root)]
    while pending:
        path, command = pending.pop()
        if not isinstance(command, TyperGroup):
            continue
        context = click.Context(command, info_name=path[-1] if path else "netgoals")
        for name in command.list_commands(context):
            child = command.get_command(context, name)
            if child is not None and not child.hidden:
                paths.append((*path, name))
                pending.append(((*path, name), child))
    return sorted(paths)


COMMANDS = _command_paths()


def test_the_walk_finds_the_command_groups_and_their_commands() -> None:
    assert {("progress",), ("goal", "add"), ("google", "connect")} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: " ".join(path) or "netgoals")
def test_help_shows_no_type_after_a_flag(path: tuple[str, ...], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"NETGOALS_HOME": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert "<bool>" not in result.output
