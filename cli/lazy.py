"""A command group that imports a command's module only when that command runs.

`netgoals --help` lists every command from the one-line summaries registered beside them, so it
loads none of them; `netgoals progress` loads the progress command and nothing of Google, the web
stack or Celery. tests/e2e/test_cli_start.py checks that each summary matches its command.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from difflib import get_close_matches

import typer
from typer import _click as click
from typer.core import TyperGroup
from typer.main import get_command_from_info, get_group_from_info
from typer.models import CommandInfo, TyperInfo


@dataclass(frozen=True, slots=True)
class Lazy:
    """A command `name` found at `target` ("module:attribute": a Typer app or a function), listed
    by --help with its one-line `summary` under the heading `panel`."""

    name: str
    target: str
    summary: str
    panel: str


class LazyGroup(TyperGroup):
    """Lists its commands from `Lazy` entries (set as `lazy` on the class by the app that uses it)."""

    lazy: tuple[Lazy, ...] = ()
    # The list of commands is plain text (fast); a command's own --help keeps Rich's panels.
    command_markup: typer.core.MarkupMode = "markdown"

    def _entries(self) -> dict[str, Lazy]:
        return {entry.name: entry for entry in self.lazy}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *(e.name for e in self.lazy if e.name not in self.commands)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = self.commands.get(cmd_name)
        if found is None and (entry := self._entries().get(cmd_name)) is not None:
            found = self.commands[cmd_name] = load(entry, self.command_markup)
        return found

    def _summaries(self, ctx: click.Context) -> list[tuple[str, str]]:
        """(name, one-line help) of the visible commands, loaded or not."""
        return [(name, help_text) for name, help_text, _ in self._rows(ctx)]

    def _rows(self, ctx: click.Context) -> list[tuple[str, str, str]]:
        """(name, one-line help, panel) of the visible commands, loaded or not."""
        entries = self._entries()
        rows: list[tuple[str, str, str]] = []
        for name in self.list_commands(ctx):
            loaded = self.commands.get(name)
            entry = entries.get(name)
            panel = entry.panel if entry else getattr(loaded, "rich_help_panel", None) or "Commands"
            if loaded is None and entry is not None:
                rows.append((name, entry.summary, panel))
            elif loaded is not None and not loaded.hidden:
                rows.append((name, loaded.get_short_help_str(1000), panel))
        return rows

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The summaries as they are registered, whole (wrapped, never cut), one section a panel:
        listing commands imports none of them, and plain sections cost none of Rich's start-up."""
        panels: dict[str, list[tuple[str, str]]] = {}
        for name, help_text, panel in self._rows(ctx):
            panels.setdefault(panel, []).append((name, help_text))
        width = max((len(name) for rows in panels.values() for name, _ in rows), default=0)
        for panel, rows in panels.items():
            with formatter.section(panel):
                # The same first column in every panel, so the summaries line up across them.
                formatter.write_dl([(name.ljust(width), help_text) for name, help_text in rows])

    def shell_complete(
        self, ctx: click.Context, incomplete: str
    ) -> list[click.shell_completion.CompletionItem]:
        """Tab on a command name answers from the summaries too (options: as click does)."""
        if incomplete.startswith("-"):
            return super().shell_complete(ctx, incomplete)
        return [
            click.shell_completion.CompletionItem(name, help=help_text)
            for name, help_text in self._summaries(ctx)
            if name.startswith(incomplete)
        ]

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.UsageError as error:
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if matches and "Did you mean" not in error.message:
                error.message = f"{error.message.rstrip('.')}. Did you mean {', '.join(map(repr, matches))}?"
            raise


def load(entry: Lazy, markup: typer.core.MarkupMode) -> click.Command:
    """Import the entry's module and make its click command, in the root app's help style."""
    module, _, attribute = entry.target.partition(":")
    target = getattr(importlib.import_module(module), attribute)
    if isinstance(target, typer.Typer):
        return get_group_from_info(
            TyperInfo(target, name=entry.name, rich_help_panel=entry.panel),
            pretty_exceptions_short=True,
            suggest_commands=True,
            rich_markup_mode=markup,
        )
    return get_command_from_info(
        CommandInfo(name=entry.name, callback=target, rich_help_panel=entry.panel),
        pretty_exceptions_short=True,
        rich_markup_mode=markup,
    )
