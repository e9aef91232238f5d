"""`netgoals source add|list|remove|sync`: calendars netgoals reads for attended events."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli import render
from cli.common import JsonOption, UserOption, acting_as
from service import ical
from service.app import App
from service.commands import DomainError, NotFoundError
from service.operations import served
from service.settings import Settings
from service.shapes.sources import SourceOut, SourceReadOut, SourceReportOut

source_app = typer.Typer(
    no_args_is_help=True, help="Read iCal calendars (Outlook, iCloud, Meetup…) for attended events."
)


@source_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="https://, http:// or webcal:// address, or a local .ics file.")],
    trust_all: Annotated[bool, typer.Option("--trust-all", help="Every past event in it counts.")] = False,
    email: Annotated[
        list[str] | None,
        typer.Option(help="Your address in this calendar (repeatable; default your handle)."),
    ] = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a calendar; an address is read at the next `netgoals sync`, a file right now."""
    with acting_as(user) as (service, user_id):
        settings = Settings()
        path = Path(url)
        if "://" not in url and path.is_file():
            body = path.read_bytes()
            added = ical.add_file_source(service, user_id, path.name, body, trust_all=trust_all, emails=email)
            report = ical.read_file_source(service, settings, added.source_id, user_id, body)
            if as_json:  # the API's upload answer: the source and what its read counted
                source = ical.get_source(service, user_id, added.source_id)
                render.print_shape(SourceReadOut.of(source, report))
            else:
                _print_reports([report], False)
            if report.status == "error":
                raise typer.Exit(1)
            return
        # The service's worker reads the source from now on: it must be allowed to reach it.
        stuck = (
            served.missing_in_service(settings, "private_sources") if settings.allow_private_sources else None
        )
        if stuck is not None and ical.reaches_private_address(url):
            raise DomainError(f"{url} is on a private or loopback address: {stuck}")
        added = ical.add_source(service, settings, user_id, url, trust_all=trust_all, emails=email)
        if as_json:
            render.print_shape(SourceOut.of(added))
            return
        render.console.print(
            f"Source added: {added.source_id} ({added.display}); "
            f"read every {added.interval_seconds // 60} minutes."
        )


@source_app.command("list")
def list_(user: UserOption = None, as_json: JsonOption = False) -> None:
    """The calendars netgoals reads, with their state."""
    with acting_as(user) as (service, user_id):
        found = ical.list_sources(service, user_id)
        if as_json:
            render.print_shape([SourceOut.of(s) for s in found])
            return
        if not found:
            render.console.print("No sources: add one with `netgoals source add URL`.")
            return
        zone = service.profile(user_id).tz
        table = Table(title="Calendars netgoals reads", title_justify="left")
        for column in ("id", "calendar", "state", "last read", "events", "counted"):
            table.add_column(column)
        for s in found:
            state = s.last_status + (f"\n{s.last_error}" if s.last_error else "")
            state += _unread(s.unread, s.unread_notes)
            calendar = s.display + ("\n(every past event counts)" if s.trust_all else "")
            fetched = render.local_time(s.last_fetched_at, zone) if s.last_fetched_at else "never"
            table.add_row(
                s.source_id[:8], calendar, state, fetched, str(s.events_seen), str(s.actions_derived)
            )
        render.console.print(table)


@source_app.command("remove")
def remove(
    source_id: Annotated[str, typer.Argument(help="The source's id (or its first characters).")],
    user: UserOption = None,
) -> None:
    """Stop reading a calendar (what it counted stays)."""
    with acting_as(user) as (service, user_id):
        ical.remove_source(service, user_id, _full_id(service, user_id, source_id))
        render.console.print("Source removed.")


@source_app.command("sync")
def sync(
    source_id: Annotated[str | None, typer.Argument(help="One source (default: all of yours).")] = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read now (all your sources, or one), whether due or not."""
    with acting_as(user) as (service, user_id):
        settings = Settings()
        if source_id:
            reports = [ical.sync_source(service, settings, _full_id(service, user_id, source_id), user_id)]
        else:
            reports = ical.sync_user_sources(service, settings, user_id, due_only=False)
        _print_reports(reports, as_json)
        if any(r.status == "error" for r in reports):
            raise typer.Exit(1)


def _unread(count: int, notes: tuple[str, ...]) -> str:
    """What a read could not read, said in words (the rest was read)."""
    if not count:
        return ""
    things = "1 part" if count == 1 else f"{count} parts"
    return f"\n{things} could not be read and were left out: " + "; ".join(notes)


def _full_id(service: App, user_id: str, prefix: str) -> str:
    matches = [s.source_id for s in ical.list_sources(service, user_id) if s.source_id.startswith(prefix)]
    if len(matches) == 1:
        return matches[0]
    raise NotFoundError(f"no source {prefix!r}" if not matches else f"{prefix!r} names several sources")


def _print_reports(reports: list[ical.SourceReport], as_json: bool) -> None:
    if as_json:
        render.print_shape([SourceReportOut.of(r) for r in reports])
        return
    for r in reports:
        line = (
            f"{r.source_id[:8]}: [bold]{r.status}[/bold], {r.events_seen} events read, "
            f"{r.done} counted, {r.retracted} retracted"
        )
        render.console.print(line + _unread(r.unread, r.unread_notes), highlight=False)
        if r.error:
            render.errors.print(f"{r.source_id[:8]}: [bold red]{r.error}[/bold red]", highlight=False)


def sync_due(user: str | None, as_json: bool, calendars_follow: bool) -> None:
    """`netgoals sync`'s share: read the due sources (one user's, or everyone's). Prints a line per
    source; with --json, prints them only when no calendar sync follows (then they are the whole
    answer; otherwise the JSON answer is the calendars' reports, and `source list --json` has these)."""
    settings = Settings()
    with acting_as(user if user else "") as (service, user_id):
        if user_id:
            reports = ical.sync_user_sources(service, settings, user_id)
        else:
            reports = ical.sync_due_sources(service, settings)
    if not calendars_follow:
        _print_reports(reports, as_json)
        if not reports and not as_json:
            render.console.print("No iCal source is due, and no calendar is connected.")
        return
    if not as_json:
        _print_reports(reports, False)
