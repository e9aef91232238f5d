"""`netgoals notify …` (where progress updates go, and a test) and `netgoals updates` (what was sent)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated
from urllib.parse import parse_qs, urlsplit

import typer
from rich.table import Table

from cli import render
from cli.common import JsonOption, UserOption, acting_as, load_settings, opened
from service.app import App
from service.commands import SecretKeyMissingError
from service.settings import Settings
from service.shapes.updates import SentUpdateOut, UpdatePreferencesOut
from service.updates import (
    Updates,
    confirm_address,
    decide,
    deliver_due,
    send_test,
    sent,
    set_channel,
    status,
)

notify_app = typer.Typer(
    no_args_is_help=True,
    help="Choose where progress updates go: email, a signed webhook (Slack too), or none.",
)
updates_app = typer.Typer(invoke_without_command=True, help="The progress updates sent to you, newest first.")

ImmediateOption = Annotated[
    bool,
    typer.Option("--immediate/--no-immediate", help="Tell at once: goal met, falling behind, streak ended."),
]
DigestOption = Annotated[bool, typer.Option("--digest/--no-digest", help="The Monday-morning weekly digest.")]


@contextmanager
def _updates(user: str | None) -> Iterator[tuple[App, Updates, str]]:
    with opened(SecretKeyMissingError) as (service, settings):
        yield service, Updates.open(settings), _user(service, settings, user)


def _user(service: App, settings: Settings, user: str | None) -> str:
    return service.user(user or settings.user).user_id


@notify_app.command("email")
def email(
    address: Annotated[str, typer.Argument(help="Where to send the updates.")],
    user: UserOption = None,
    immediate: ImmediateOption = True,
    digest: DigestOption = True,
) -> None:
    """Send progress updates by email (needs smtp_host: `netgoals config set`)."""
    from service.commands import DomainError
    from service.operations import served

    with _updates(user) as (service, context, user_id):
        refused = served.missing_in_service(load_settings(), "smtp")
        if refused is not None:
            raise DomainError(refused)
        change = set_channel(
            service, context, user_id, "email", email=address, immediate=immediate, digest=digest
        )
        if change.waiting_for:
            render.console.print(
                f"Progress updates will go to {address}, waiting for confirmation: open the link we sent"
                " there (or pass it to `netgoals notify confirm`). Nothing is sent to it before."
            )
            return
        render.console.print(f"Progress updates go to {address}. Try `netgoals notify test`.")


@notify_app.command("webhook")
def webhook(
    url: Annotated[str, typer.Argument(help="The https URL to POST updates to.")],
    user: UserOption = None,
    slack: Annotated[
        bool, typer.Option("--slack", help='Send Slack-compatible bodies ({"text": …}).')
    ] = False,
    immediate: ImmediateOption = True,
    digest: DigestOption = True,
) -> None:
    """POST progress updates to a webhook, signed with a secret shown once."""
    with _updates(user) as (service, context, user_id):
        change = set_channel(
            service,
            context,
            user_id,
            "webhook",
            webhook_url=url,
            webhook_format="slack" if slack else "json",
            immediate=immediate,
            digest=digest,
        )
        render.console.print(
            "Progress updates go to the webhook. Its signing secret (shown once; "
            "X-Netgoals-Signature is sha256=HMAC-SHA256(secret, raw body)):"
        )
        render.console.print(change.webhook_secret or "", soft_wrap=True, highlight=False)


@notify_app.command("confirm")
def confirm(
    link: Annotated[str, typer.Argument(help="The link from the confirmation mail (or its token).")],
) -> None:
    """Confirm an email address with the link sent to it (when the web server is not running)."""
    token = parse_qs(urlsplit(link).query).get("token", [link])[0]
    with opened(SecretKeyMissingError) as (service, settings):
        address = confirm_address(service, Updates.open(settings), token)
    render.console.print(f"{address} is confirmed: progress updates will go there.")


@notify_app.command("off")
def off(user: UserOption = None) -> None:
    """Stop progress updates."""
    with _updates(user) as (service, context, user_id):
        set_channel(service, context, user_id, "none")
        render.console.print("Progress updates are off.")


@notify_app.command("test")
def send_test_message(user: UserOption = None) -> None:
    """Send a test on your channel now and say what happened."""
    with _updates(user) as (service, context, user_id):
        result = send_test(service, context, user_id)
        if not result.delivered:
            render.errors.print(f"[bold red]not delivered:[/bold red] {result.detail}", highlight=False)
            raise typer.Exit(1)
        render.console.print(f"Test sent by {result.channel}: {result.detail}.")


@notify_app.command("daily")
def daily(
    at: Annotated[str, typer.Argument(help="HH:MM in your time zone (e.g. 07:30), or off.")],
    user: UserOption = None,
) -> None:
    """A daily message at HH:MM: meeting briefs and next steps."""
    from service.updates.daily import set_daily

    with acting_as(user) as (service, user_id):
        chosen = set_daily(service, user_id, at)
    if chosen is None:
        render.console.print("Daily message: off.")
        return
    render.console.print(
        f"Daily message at {chosen} (your time zone), over your progress-update channel"
        " (`netgoals notify email|webhook` if none is set)."
    )


@notify_app.command("status")
def show_status(user: UserOption = None, as_json: JsonOption = False) -> None:
    """Where updates go, and whether the last one got there."""
    with _updates(user) as (service, _context, user_id):
        current = status(service, user_id)
        daily_at = service.profile(user_id).daily_at
    if as_json:
        render.print_shape(UpdatePreferencesOut.of(current))
        return
    p = current.preferences
    where = {"email": f"email to {p.email}", "webhook": f"webhook ({p.webhook_format})"}.get(p.channel, "off")
    kinds = (
        ", ".join(k for k, on in (("at once", p.immediate), ("weekly digest", p.digest)) if on) or "nothing"
    )
    render.console.print(f"Updates: {where}; {kinds}." if p.active else "Updates: off.")
    if daily_at:
        render.console.print(f"Daily message at {daily_at} (your time zone).")
    if current.waiting_for_confirmation:
        render.console.print(
            f"[yellow]Waiting for confirmation:[/yellow] open the link sent to {p.email};"
            " nothing goes there before.",
            highlight=False,
        )
    for channel, why in current.failing.items():
        render.console.print(f"[yellow]{channel} is failing:[/yellow] {why}", highlight=False)
    if current.pending:
        render.console.print(f"{current.pending} waiting to be sent.")


@updates_app.callback()
def updates(
    ctx: typer.Context,
    user: UserOption = None,
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many to show.")] = 20,
) -> None:
    """The progress updates sent to you, newest first."""
    if ctx.invoked_subcommand is not None:
        return
    with _updates(user) as (service, _context, user_id):
        found = sent(service, user_id, limit)
        zone = service.profile(user_id).tz
    if as_json:
        render.print_shape([SentUpdateOut.of(row) for row in found])
        return
    if not found:
        render.console.print("No updates yet. Choose a channel with `netgoals notify email ADDRESS`.")
        return
    table = Table(title_justify="left")
    for column in ("when", "what", "channel", "state"):
        table.add_column(column)
    for item in found:
        state = (
            item["state"]
            if not item["detail"] or item["state"] == "delivered"
            else f"{item['state']}: {item['detail']}"
        )
        table.add_row(
            render.local_time(item["finished_at"] or item["decided_at"], zone),
            item["subject"],
            item["channel"],
            state,
        )
    render.console.print(table)


@updates_app.command("send")
def send_now(user: UserOption = None) -> None:
    """Decide and send what is due now (the workers do this by themselves every few minutes)."""
    with _updates(user) as (service, context, user_id):
        queued = decide(service, context, user_id)
        results = deliver_due(service, context, user_id)
    delivered = sum(1 for r in results if r.delivered)
    render.console.print(
        f"{queued} new, {delivered} delivered, {len(results) - delivered} to retry or failed."
    )
    for result in results:
        if not result.delivered:
            render.console.print(f"[yellow]{result.kind}:[/yellow] {result.detail}", highlight=False)
