"""`netgoals caldav connect|calendars|status|sync|disconnect`: any CalDAV calendar (Nextcloud,
iCloud, Fastmail, Radicale, Baïkal…) as the calendar netgoals plans into and reads from.

The password is asked for at a hidden prompt, or read from NETGOALS_CALDAV_PASSWORD (scripts); it
is never an argument, so it never lands in a shell's history or a process list."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.table import Table

from cli import render
from cli.common import JsonOption, UserOption, opened
from service.commands import SecretKeyMissingError

caldav_app = typer.Typer(
    no_args_is_help=True, help="Connect a CalDAV calendar (Nextcloud, iCloud, Fastmail, Radicale…)."
)
PASSWORD_ENV = "NETGOALS_CALDAV_PASSWORD"  # noqa: S105 - the name of a variable, not a password


@caldav_app.command("connect")
def connect(
    server: Annotated[
        str,
        typer.Argument(help="The server's address or just its domain (empty with --preset icloud/fastmail)."),
    ] = "",
    preset: Annotated[
        str | None, typer.Option(help="icloud, fastmail or nextcloud (with your Nextcloud's domain).")
    ] = None,
    username: Annotated[str, typer.Option(help="Your user name (iCloud, Fastmail: your email).")] = "",
    read: Annotated[
        list[str] | None, typer.Option(help="A calendar to read attended events from (repeat; default: all).")
    ] = None,
    plan_into: Annotated[
        str | None, typer.Option(help="The calendar to plan into (default: a new “Networking goals”).")
    ] = None,
    email: Annotated[
        list[str] | None, typer.Option(help="An address that is you in invitations (repeat).")
    ] = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Connect a CalDAV account: find its calendars, choose what to read and where to plan; the
    workers then keep it in sync (every 15 minutes)."""
    from service.caldav import connect as use_case
    from service.caldav.context import CalDAV
    from service.commands import DomainError
    from service.shapes.caldav import CalDAVConnectedOut

    if not username:
        username = typer.prompt("User name")
    password = os.environ.get(PASSWORD_ENV) or typer.prompt("Password (an app password)", hide_input=True)
    with opened(SecretKeyMissingError) as (service, settings):
        user_id = service.user(user or settings.user).user_id
        if preset is None and not server:
            raise DomainError("give the server's address, or --preset icloud|fastmail|nextcloud")
        found = use_case.connect(
            service,
            CalDAV.open(settings),
            user_id,
            server,
            username=username,
            password=password,
            preset=preset,
            read=read or None,
            plan_into=plan_into,
            emails=email or (),
        )
        if as_json:
            render.print_shape(CalDAVConnectedOut.of(found))
            return
        made = " (created)" if found.created else ""
        render.console.print(f"CalDAV connected: {found.account}")
        render.console.print(f"Planning into: {found.plan_into.name}{made}")
        render.console.print(
            "Reading: " + (", ".join(c.name for c in found.read) or "only the calendar planned into")
        )
        render.console.print("The workers sync it within a minute (`netgoals caldav sync` does it now).")


@caldav_app.command("calendars")
def calendars(user: UserOption = None, as_json: JsonOption = False) -> None:
    """The calendars on the server, and which are read or planned into."""
    from service.caldav import connect as use_case
    from service.caldav.context import CalDAV
    from service.shapes.caldav import ServerCalendarOut

    with opened(SecretKeyMissingError) as (service, settings):
        user_id = service.user(user or settings.user).user_id
        found = use_case.server_calendars(service, CalDAV.open(settings), user_id)
        if as_json:
            render.print_shape([ServerCalendarOut.of(c, role) for c, role in found])
            return
        table = Table(title="CalDAV calendars", title_justify="left")
        for column in ("name", "used for", "writable"):
            table.add_column(column)
        words = {"read": "read for attended events", "goals": "planned into", None: ""}
        for calendar, role in found:
            table.add_row(calendar.name, words[role], "yes" if calendar.writable else "no")
        render.console.print(table)


@caldav_app.command("status")
def status(user: UserOption = None, as_json: JsonOption = False) -> None:
    """Whether the CalDAV calendar is connected, when it was last synced and what went wrong."""
    from service.caldav import connect as use_case
    from service.shapes.caldav import CalDAVStatusOut

    with opened() as (service, settings):
        user_id = service.user(user or settings.user).user_id
        found = use_case.status(service, user_id)
        if as_json:
            render.print_shape(CalDAVStatusOut.of(found))
            return
        render.console.print(f"CalDAV: [bold]{found.status}[/bold]")
        if found.server:
            render.console.print(f"{found.username} at {found.server}")
        for name, role in found.calendars:
            render.console.print(f"  {name}: {'planned into' if role == 'goals' else 'read'}")
        zone = service.profile(user_id).tz
        if found.last_sync_at:
            render.console.print(f"Last synced {render.local_time(found.last_sync_at, zone)}.")
        if found.next_poll_at is not None:
            render.console.print(f"Next sync {render.local_time(found.next_poll_at, zone)}.")
        if found.detail:
            render.console.print(found.detail)
        if found.status == "reconnect-needed":
            render.console.print("Run `netgoals caldav connect` again (an app password may be needed).")


@caldav_app.command("sync")
def sync(user: UserOption = None, as_json: JsonOption = False) -> None:
    """Sync the CalDAV calendar now: pull, plan, push."""
    from service.caldav.context import CalDAV
    from service.caldav.sync import sync_once

    with opened(SecretKeyMissingError) as (service, settings):
        user_id = service.user(user or settings.user).user_id
        report = sync_once(service, CalDAV.open(settings), user_id)
        if as_json:
            render.print_json(report.as_dict())
        else:
            from cli.google import _print_report

            _print_report(report)
        if report.status in ("error", "reconnect-needed"):
            raise typer.Exit(1)


@caldav_app.command("disconnect")
def disconnect(user: UserOption = None) -> None:
    """Forget the password and the sync state (history and what was counted stay)."""
    from service.caldav import connect as use_case

    with opened() as (service, settings):
        if use_case.disconnect(service, service.user(user or settings.user).user_id):
            render.console.print("CalDAV disconnected; the password is deleted.")
        else:
            render.console.print("CalDAV was not connected.")
