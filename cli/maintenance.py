"""Keeping the store: rebuild projections, export and import the log, the guided demo."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from cli import render
from cli.common import UserOption, acting_as
from service.commands import DomainError
from service.operations import archive


def rebuild() -> None:
    """Rebuild the projections from the whole log; name any event that cannot be applied."""
    with acting_as("") as (service, _), Progress(console=render.console, transient=False) as bar:
        task = bar.add_task("Rebuilding the projections", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        folded = archive.rebuild(service, advance)
        bar.update(task, completed=folded, total=max(folded, 1))
        held = service.projection.quarantined()
    render.console.print(f"Rebuilt from {folded} events.")
    if held:  # reported, not a failure: every other event was applied (docs/architecture.md)
        render.console.print(
            f"Quarantined {len(held)} event(s) that could not be applied; the rest was:", soft_wrap=True
        )
        for event in held:
            render.console.print(f"  {event.line()}", soft_wrap=True, markup=False)


def export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; default stdout.")
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Every user's events, not just yours.")] = False,
    user: UserOption = None,
) -> None:
    """Export the raw events as JSON Lines."""
    with acting_as("" if everything else user) as (service, user_id):
        lines = archive.export_lines(service, None if everything else user_id)
        if output is None:
            for line in lines:
                sys.stdout.write(line + "\n")
        else:
            with output.open("w", encoding="utf-8") as handle:
                count = sum(1 for line in lines if handle.write(line + "\n"))
            render.errors.print(f"Exported {count} events to {output}.")


def import_(
    file: Annotated[Path, typer.Argument(help="A JSON Lines file written by `netgoals export`.")],
) -> None:
    """Import events from an export: all of them or, if any line is bad, none."""
    with acting_as("") as (service, _):
        try:
            handle = file.open(encoding="utf-8")
        except OSError as exc:
            raise DomainError(f"cannot read {file}: {exc.strerror}") from None
        with handle:
            appended = archive.import_file(service, handle)
        render.console.print(f"Imported {appended} new events.")
