"""`netgoals google connect|disconnect|status`, `netgoals sync` and `netgoals suggestions`."""

from __future__ import annotations

import webbrowser
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli import render
from cli import sources as sources_cli
from cli.common import JsonOption, UserOption, opened
from service.app import App
from service.commands import SecretKeyMissingError
from service.settings import Settings

if TYPE_CHECKING:  # the Google client libraries load only for `google`, `sync` and `suggestions`
    from service import google
    from service.google.report import Report

google_app = typer.Typer(no_args_is_help=True, help="Connect Google Calendar: goals in, attended events out.")
suggestions_app = typer.Typer(help="People you met at attended events who are not contacts yet.")


@contextmanager
def _google() -> Iterator[tuple[App, google.Google, Settings]]:
    from service import google

    with opened(SecretKeyMissingError) as (service, settings):
        yield service, google.Google.open(settings), settings


def _user(service: App, settings: Settings, user: str | None) -> str:
    return service.user(user or settings.user).user_id


@google_app.command("connect")
def connect(
    user: UserOption = None,
    browser: Annotated[bool, typer.Option(help="Open the consent page in a browser.")] = True,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the consent.")] = 300,
) -> None:
    """Connect your Google Calendar (a browser opens Google's consent page; the answer comes back
    to a one-shot server on 127.0.0.1); the workers run the first sync, or this command when none
    is running."""
    from service import google
    from service.commands import DomainError
    from service.operations import jobs, served

    with _google() as (service, context, settings):
        user_id = _user(service, settings, user)
        refused = served.missing_in_service(settings, "google")
        if refused is not None:  # the first sync would wait for ever: say so before the consent
            raise DomainError(refused)

        def show(url: str) -> None:
            render.console.print(f"Open this address to connect Google Calendar:\n{url}", soft_wrap=True)
            if browser:
                webbrowser.open(url)

        google.connect_loopback(service, context, user_id, show, timeout)
        if jobs.hand_to_workers(settings, service, user_id):
            render.console.print(
                "Google Calendar connected. A worker is running the first sync; "
                "`netgoals google status` shows when it is done."
            )
            return
        render.console.print(
            "Google Calendar connected. No worker is running (`netgoals serve` starts one and keeps "
            "the calendar in sync), so syncing here once…"
        )
        _print_report(google.sync_once(service, context, user_id))


@google_app.command("disconnect")
def disconnect(user: UserOption = None) -> None:
    """Revoke netgoals' access at Google, stop push channels and delete the tokens (history stays)."""
    from service import google

    with _google() as (service, context, settings):
        if google.disconnect(service, context, _user(service, settings, user)):
            render.console.print("Google Calendar disconnected; the tokens are deleted.")
        else:
            render.console.print("Google Calendar was not connected.")


@google_app.command("status")
def status(user: UserOption = None, as_json: JsonOption = False) -> None:
    """Whether the calendar is connected, paused, or needs reconnecting (and why)."""
    from service import google
    from service.operations import served
    from service.read_models import status as system_status
    from service.read_models.sync_status import calendar_sync
    from service.shapes.google import GoogleOverviewOut

    with _google() as (service, _context, settings):
        user_id = _user(service, settings, user)
        found = google.status(service, user_id)
        client = system_status.redis_client(settings)
        fresh = calendar_sync(service, settings, user_id, client)
        client.close()
        if as_json:
            render.print_shape(GoogleOverviewOut.of(found, fresh))
            return
        zone = service.profile(user_id).tz
        render.console.print(f"Google Calendar: [bold]{found.status}[/bold]")
        if fresh.last_synced_at is not None:
            render.console.print(
                f"Last synced {render.local_time(fresh.last_synced_at, zone)} ({fresh.outcome}): "
                f"{fresh.summary}."
            )
        how = "push notifications" if fresh.mode == "push" else f"polling every {fresh.poll_minutes:g} min"
        render.console.print(f"Kept fresh by {how}.")
        if fresh.waiting:
            render.console.print(f"A sync is {fresh.waiting}.")
            stuck = served.missing_in_service(settings, "google")
            if stuck is not None:
                render.console.print(f"It will not run: {stuck}.")
        if found.status == "reconnect-needed":
            render.console.print("Run `netgoals google connect` to connect again.")
        if found.paused_until is not None:
            render.console.print(
                f"Paused until {render.local_time(found.paused_until, zone)} (Google quota)."
            )
        if found.detail:
            render.console.print(found.detail)


def sync(user: UserOption = None, as_json: JsonOption = False) -> None:
    """Plan, push and pull once (every connected user, or one) for Google Calendar and CalDAV, read
    the iCal sources that are due, and print what changed."""
    caldav_users = _caldav_users(user)
    google_on = Settings().google_configured
    sources_cli.sync_due(user, as_json, calendars_follow=google_on or bool(caldav_users))
    if not google_on and not caldav_users:
        return  # no calendar to sync here: the sources were all there was
    reports: list[Report] = []
    if google_on:
        from service import google

        with _google() as (service, context, settings):
            user_ids = [_user(service, settings, user)] if user else google.connected_users(service)
            reports += [google.sync_once(service, context, u) for u in user_ids]
    if caldav_users:
        from service.caldav.context import CalDAV
        from service.caldav.sync import sync_once

        with opened(SecretKeyMissingError) as (service, settings):
            caldav = CalDAV.open(settings)
            reports += [sync_once(service, caldav, u) for u in caldav_users]
    if as_json:
        render.print_json([r.as_dict() for r in reports])
    else:
        if not reports:
            render.console.print(
                "No calendar is connected: run `netgoals google connect` or `netgoals caldav connect`."
            )
        for report in reports:
            _print_report(report, several=len(reports) > 1)
    if any(r.status in ("error", "reconnect-needed") for r in reports):  # with --json too: scripts check
        raise typer.Exit(1)


def _caldav_users(user: str | None) -> list[str]:
    """The CalDAV accounts to sync: the one given, if it has one, or every one not disconnected."""
    from service.caldav.sync import connected_users

    with opened() as (service, settings):
        connected = connected_users(service)
        if not user:
            return connected
        user_id = _user(service, settings, user)
        return [user_id] if user_id in connected else []


def _print_report(report: Report, several: bool = False) -> None:
    who = "CalDAV" if report.provider == "caldav" else "Google"
    prefix = f"{report.user_id[:8]} {who}: " if several else ""
    counts = (
        (report.planned, "planned"),
        (report.moved, "moved"),
        (report.removed, "removed"),
        (report.pushed, "pushed"),
        (report.done, "done"),
        (report.confirmed, "confirmed by you"),
        (report.retracted, "retracted"),
        (report.rescheduled, "moved by you"),
        (report.skipped, "skipped by you"),
    )
    parts = [f"{n} {what}" for n, what in counts if n]  # zeros say nothing
    render.console.print(f"{prefix}[bold]{report.status}[/bold]: " + (", ".join(parts) or "nothing changed"))
    for notice in report.notices:
        render.console.print(f"{prefix}{notice}")
    if report.error:
        render.errors.print(f"{prefix}[bold red]{report.error}[/bold red]", highlight=False)


@suggestions_app.callback(invoke_without_command=True)
def suggestions(ctx: typer.Context, user: UserOption = None, as_json: JsonOption = False) -> None:
    """List people you met (attendees of attended events who are not contacts yet)."""
    from service import google
    from service.shapes.google import SuggestionOut

    if ctx.invoked_subcommand is not None:
        return
    with _google() as (service, _context, settings):
        user_id = _user(service, settings, user)
        found = google.suggestions(service, user_id)
        zone = service.profile(user_id).tz
        if as_json:
            render.print_shape([SuggestionOut.of(s) for s in found])
            return
        if not found:
            render.console.print("No suggestions: nobody new at the events you attended.")
            return
        table = Table(title="People you met", title_justify="left")
        for column in ("email", "name", "met at", "when", "times"):
            table.add_column(column)
        for s in found:
            when = render.local_time(s.met_at, zone) if s.met_at else ""  # the person's zone, said
            table.add_row(s.email, s.name or "", s.event, when, str(s.times))
        render.console.print(table)
        render.console.print("Add one with `netgoals suggestions add EMAIL`.")


@suggestions_app.command("add")
def suggestion_add(
    email: Annotated[str, typer.Argument(help="The suggestion's email address.")],
    name: Annotated[str | None, typer.Option(help="Their name, if the calendar did not know it.")] = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a suggestion as a contact and plan a 15-minute follow-up within three days."""
    from service import google
    from service.shapes.google import SuggestionAddedOut

    with _google() as (service, _context, settings):
        added = google.add_suggestion(
            service, _user(service, settings, user), email, name, public_url=settings.public_url
        )
        if as_json:
            render.print_shape(SuggestionAddedOut.of(added))
            return
        contact = service.profile(_user(service, settings, user)).contacts[added.contact_id]
        render.console.print(
            f"Contact added: {render.named(contact.name, added.contact_id)}", highlight=False
        )
        if added.follow_up is not None:
            render.console.print(f"Follow-up planned for {added.follow_up:%a %d %b %H:%M}.")


@suggestions_app.command("dismiss")
def suggestion_dismiss(
    email: Annotated[str, typer.Argument(help="The suggestion's email address.")], user: UserOption = None
) -> None:
    """Stop suggesting this person."""
    from service import google

    with _google() as (service, _context, settings):
        google.dismiss_suggestion(service, _user(service, settings, user), email)
        render.console.print("Dismissed.")
