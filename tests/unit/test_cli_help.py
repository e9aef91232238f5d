"""Every command's --help reads cleanly: options that take a value say what kind, flags show none
(Typer 0.29 printed "<bool>" after every flag, `--help` itself included); the commands are grouped
in panels and every summary is shown whole, never cut mid-sentence."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer import _click as click
from typer.core import TyperGroup
from typer.main import get_command
from typer.testing import CliRunner

from cli.lazy import Lazy
from cli.main import CALENDARS, DAILY, NETWORK, SERVICE, UPDATES, app
from cli.main import COMMANDS as COMMANDS_LISTED

PANELS = (DAILY, NETWORK, CALENDARS, UPDATES, SERVICE)


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


def _command(path: tuple[str, ...]) -> click.Command:
    command = get_command(app)
    for name in path:
        assert isinstance(command, TyperGroup)
        found = command.get_command(click.Context(command, info_name=name), name)
        assert found is not None
        command = found
    return command


def test_the_walk_finds_the_command_groups_and_their_commands() -> None:
    assert {("progress",), ("goal", "add"), ("google", "connect")} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: " ".join(path) or "netgoals")
def test_help_shows_no_type_after_a_flag(path: tuple[str, ...], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"NETGOALS_HOME": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert "<bool>" not in result.output


def _unwrapped(text: str) -> str:
    """Help text without its layout: no wrapping (which may break after a hyphen), no Rich box
    borders, no Markdown code quotes (Rich shows `x` as x)."""
    return "".join(text.replace("│", "").replace("`", "").split())


def _sections(help_text: str) -> dict[str, list[str]]:
    """The root --help's sections ("Daily use:" …) and the command names listed under each."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in help_text.splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            current = sections.setdefault(line[:-1], [])
        elif current is not None and line.startswith("  ") and not line.startswith("   "):
            current.append(line.split()[0])
    return sections


def test_root_help_lists_every_command_in_its_panel_with_its_whole_summary(tmp_path: Path) -> None:
    """Issue 24: 26 commands flat, their descriptions cut mid-sentence ("week..."), in --help."""
    result = CliRunner().invoke(app, ["--help"], env={"NETGOALS_HOME": str(tmp_path), "COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    sections = _sections(result.output)
    assert set(PANELS) <= set(sections), sections
    for entry in COMMANDS_LISTED:
        assert entry.panel in PANELS, f"{entry.name} is in no panel of --help"
        assert entry.name in sections[entry.panel], f"{entry.name} not under {entry.panel!r}"
        assert _unwrapped(entry.summary) in _unwrapped(result.output), f"{entry.name}'s summary is cut"
    assert "..." not in _unwrapped(result.output).replace("COMMAND[ARGS]...", "")


@pytest.mark.parametrize("entry", COMMANDS_LISTED, ids=lambda entry: entry.name)
def test_each_summary_is_one_whole_sentence(entry: Lazy) -> None:
    assert entry.summary.endswith("."), entry.summary
    assert not entry.summary.endswith(("...", "….", "…")), entry.summary
    assert entry.summary[0].isupper(), entry.summary


GROUPS = [path for path in COMMANDS if path and isinstance(_command(path), TyperGroup)]


@pytest.mark.parametrize("path", GROUPS, ids=" ".join)
def test_a_group_shows_each_of_its_commands_summary_whole(path: tuple[str, ...], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"NETGOALS_HOME": str(tmp_path), "COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    group = _command(path)
    assert isinstance(group, TyperGroup)
    context = click.Context(group, info_name=path[-1])
    for name in group.list_commands(context):
        child = group.get_command(context, name)
        if child is None or child.hidden:
            continue
        summary = child.get_short_help_str(10_000)
        assert _unwrapped(summary) in _unwrapped(result.output), f"{path} {name}: {summary!r} is cut"
        assert summary.endswith((".", ")")) and not summary.endswith("..."), f"{name}: {summary!r}"
