"""`netgoals init`, `log` and `retract`: setting up and recording what you did."""

from __future__ import annotations

from typing import Annotated

import typer

from cli import render
from cli.common import JsonOption, UserOption, acting_as
from cli.parsing import check_kind, parse_moment
from service.access import users
from service.commands import WEEKDAYS, DomainError, parse_timezone, parse_week_start
from service.people import contacts
from service.settings import Settings
from service.tracking import actions, goals


def init(
    timezone: Annotated[
        str | None, typer.Option(help="Your IANA time zone, e.g. Europe/Berlin (new: UTC).")
    ] = None,
    week_start: Annotated[str | None, typer.Option(help="First day of your week (new: monday).")] = None,
    budget: Annotated[
        int | None, typer.Option(help="Networking actions a week you can realistically do (new: 5).")
    ] = None,
    user: UserOption = None,
) -> None:
    """Set up netgoals for you (or change your time zone, week start and weekly budget)."""
    handle = user or Settings().user
    with acting_as("") as (service, _):
        if timezone is not None:
            parse_timezone(timezone)
        first_day = parse_week_start(week_start) if week_start is not None else None
        try:
            existing = service.user(handle)
        except DomainError:
            record = users.register(
                service,
                handle,
                timezone or "UTC",
                week_start=0 if first_day is None else first_day,
                weekly_budget=5 if budget is None else budget,
            )
            render.console.print(
                f"Welcome! netgoals is set up for [bold]{record.handle}[/bold] in {record.timezone}."
            )
            return
        # An option left out keeps what the account has: only what is named changes.
        record = users.change_settings(
            service, existing.user_id, timezone=timezone, week_start=first_day, weekly_budget=budget
        )
        render.console.print(
            f"Settings for [bold]{record.handle}[/bold]: {record.timezone},"
            f" weeks start on {WEEKDAYS[record.week_start].capitalize()},"
            f" budget {record.weekly_budget} actions a week."
        )


def log_action(
    action: Annotated[
        str,
        typer.Argument(help="attend-event, reach-out, follow-up, offer-help, meet-mentor or your own."),
    ],
    title: Annotated[str | None, typer.Argument(help="What it was, e.g. the event's name.")] = None,
    at: Annotated[
        str | None,
        typer.Option(
            help="When, in your time zone: 'YYYY-MM-DD HH:MM', 'yesterday 19:00', '3 days ago'; default now."
        ),
    ] = None,
    contact: Annotated[
        list[str] | None, typer.Option(help="Who with (id, prefix or name; repeatable).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note for yourself.")] = None,
    new_kind: Annotated[
        bool, typer.Option("--new-kind", help="The action is a new kind of your own.")
    ] = False,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Log a networking action you took."""
    with acting_as(user) as (service, user_id):
        tz = service.profile(user_id).tz
        action = check_kind(action, goals.known_action_kinds(service, user_id), allow_new=new_kind)
        when = parse_moment(at, tz, "--at", now=service.now()) if at is not None else None
        contact_ids = tuple(contacts.resolve_contact(service, user_id, c) for c in contact or ())
        action_id = actions.log_action(
            service, user_id, action, when, contact_ids=contact_ids, title=title, note=note
        )
        if as_json:
            render.print_json({"action_id": action_id})
        else:
            what = render.action_words(action) + (f" “{title}”" if title else "")
            render.console.print(f"Logged: {render.named(what, action_id)}.", highlight=False)


def retract(
    action: Annotated[str, typer.Argument(help="The action's id (or a unique prefix).")],
    reason: Annotated[str | None, typer.Option(help="Why it was wrong.")] = None,
    user: UserOption = None,
) -> None:
    """Retract an action logged by mistake (a correction is a new fact; nothing is edited)."""
    with acting_as(user) as (service, user_id):
        action_id = actions.resolve_action(service, user_id, action)
        found = actions.retract_action(service, user_id, action_id, reason)
        what = action_id[:8]
        if found is not None:
            day = found.at.astimezone(service.profile(user_id).tz).date().isoformat()
            what = render.named(f"{render.action_words(found.kind)} on {day}", action_id)
        render.console.print(f"Retracted: {what}.", highlight=False)
