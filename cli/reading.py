"""`netgoals progress` and `history`: where you stand, read from the projections and the log."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cli import render
from cli.common import JsonOption, UserOption, acting_as, load_settings
from cli.parsing import parse_day
from service.read_models import progress as progress_service
from service.read_models.progress import ProgressLine
from service.read_models.quick_progress import quick_progress
from service.shapes.progress import ProgressOut


def progress(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD: progress as it stood then.")
    ] = None,
    include_archived: Annotated[bool, typer.Option("--all", help="Include archived goals.")] = False,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Your goals this period: progress bars, status and streaks."""
    settings = load_settings()
    # The common case, views already current, is read without opening the store in full.
    lines = None if as_of else quick_progress(settings, user or settings.user, include_archived)
    day = None
    if lines is None:
        with acting_as(user) as (service, user_id):
            day = parse_day(as_of, "--as-of date") if as_of else None
            lines = progress_service.progress(service, user_id, day, include_archived=include_archived)
    if as_json:
        render.print_shape([ProgressOut.of(line) for line in lines])
        return
    if not lines:
        render.console.print("No goals yet: try `netgoals goal add --template monthly-event`.")
        return
    suffix = f" as of {day}" if day else ""
    for aspiration, group in _by_aspiration(lines):
        render.console.print(render.progress_table(group, f"{aspiration}{suffix}"))


def _by_aspiration(lines: list[ProgressLine]) -> list[tuple[str, list[ProgressLine]]]:
    """Goals grouped under the career aspiration they serve, in the order goals were set."""
    groups: dict[str, list[ProgressLine]] = {}
    for line in lines:
        groups.setdefault(line.aspiration or "Goals without an aspiration", []).append(line)
    return list(groups.items())


def history(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many events.")] = 20,
    before: Annotated[int | None, typer.Option(help="Only events before this log position (paging).")] = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """What happened, newest first, straight from the event log; times in your time zone."""
    from service.read_models import history as history_service
    from service.tracking import actions  # not at the top: `progress` must start without the store's imports

    with acting_as(user) as (service, user_id):
        if as_json:
            render.print_json(actions.history(service, user_id, limit, before))
            return
        page = history_service.entries(service, user_id, limit=limit, before=before)
        table = Table(title="History", title_justify="left")
        for column in ("position", "when", "event", "what", "with"):
            table.add_column(column)
        for entry in page.entries:
            table.add_row(
                str(entry.position),
                entry.at.isoformat(sep=" ", timespec="minutes"),
                entry.label + (" (retracted)" if entry.retracted else ""),
                entry.what,
                ", ".join(entry.people),
            )
        render.console.print(table)
        if page.next_before:
            render.console.print(f"Older: netgoals history --before {page.next_before}", style="dim")
