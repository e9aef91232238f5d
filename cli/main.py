"""The `netgoals` command line: keep networking goals from the terminal."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cli import google as google_cli
from cli import maintenance, render
from cli.common import JsonOption, UserOption, acting_as
from cli.confirm import confirm as confirm_command
from cli.contact_import import contact_import
from cli.contacts import contact_app
from cli.goals import aspiration_app, goal_app
from cli.network import network_app
from cli.parsing import check_kind, parse_day, parse_moment
from cli.users import api as api_command
from cli.users import user_app
from service import actions, contacts, goals, users
from service import history as history_service
from service import progress as progress_service
from service.commands import DomainError, parse_timezone, parse_week_start
from service.progress import ProgressLine
from service.settings import Settings

app = typer.Typer(
    no_args_is_help=True, help=__doc__, pretty_exceptions_enable=False, rich_markup_mode="markdown"
)


@app.command()
def init(
    timezone: Annotated[str, typer.Option(help="Your IANA time zone, e.g. Europe/Berlin.")] = "UTC",
    week_start: Annotated[str, typer.Option(help="First day of your week.")] = "monday",
    budget: Annotated[int, typer.Option(help="Networking actions a week you can realistically do.")] = 5,
    user: UserOption = None,
) -> None:
    """Set up netgoals for you (or change your time zone, week start and weekly budget)."""
    handle = user or Settings().user
    with acting_as("") as (service, _):
        parse_timezone(timezone)
        first_day = parse_week_start(week_start)
        try:
            existing = service.user(handle)
        except DomainError:
            record = users.register(service, handle, timezone, week_start=first_day, weekly_budget=budget)
            render.console.print(
                f"Welcome! netgoals is set up for [bold]{record.handle}[/bold] in {record.timezone}."
            )
            return
        record = users.change_settings(
            service, existing.user_id, timezone=timezone, week_start=first_day, weekly_budget=budget
        )
        render.console.print(
            f"Settings for [bold]{record.handle}[/bold]: {record.timezone},"
            f" budget {record.weekly_budget} actions a week."
        )


# --- aspirations ---------------------------------------------------------------------------------


@app.command("log")
def log(
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
        bool, typer.Option("--new-kind", help="The action is a new kind of your own.", metavar="")
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
            render.console.print(f"Logged {action}: {action_id}")


@app.command()
def retract(
    action: Annotated[str, typer.Argument(help="The action's id (or a unique prefix).")],
    reason: Annotated[str | None, typer.Option(help="Why it was wrong.")] = None,
    user: UserOption = None,
) -> None:
    """Retract an action logged by mistake (a correction is a new fact; nothing is edited)."""
    with acting_as(user) as (service, user_id):
        action_id = actions.resolve_action(service, user_id, action)
        actions.retract_action(service, user_id, action_id, reason)
        render.console.print(f"Retracted {action_id[:8]}.")


# --- reading -------------------------------------------------------------------------------------


@app.command()
def progress(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD: progress as it stood then.")
    ] = None,
    include_archived: Annotated[bool, typer.Option("--all", help="Include archived goals.")] = False,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Your goals this period: progress bars, status and streaks."""
    with acting_as(user) as (service, user_id):
        day = parse_day(as_of, "--as-of date") if as_of else None
        lines: list[ProgressLine] = progress_service.progress(
            service, user_id, day, include_archived=include_archived
        )
        if as_json:
            render.print_json([line.as_dict() for line in lines])
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


@app.command()
def history(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many events.")] = 20,
    before: Annotated[int | None, typer.Option(help="Only events before this log position (paging).")] = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """What happened, newest first, straight from the event log; times in your time zone."""
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


# --- maintenance ---------------------------------------------------------------------------------


# Commands appear in --help in the order they are registered: the daily ones first.
app.add_typer(aspiration_app, name="aspiration")
app.add_typer(goal_app, name="goal")
contact_app.command("import")(contact_import)
app.add_typer(contact_app, name="contact")
app.add_typer(network_app, name="network")
app.add_typer(google_cli.google_app, name="google")
app.add_typer(google_cli.suggestions_app, name="suggestions")
app.command("sync")(google_cli.sync)
app.command("confirm")(confirm_command)
app.add_typer(user_app, name="user")
app.command("api")(api_command)
app.command()(maintenance.rebuild)
app.command()(maintenance.export)
app.command("import")(maintenance.import_)
for _group in app.registered_groups:  # every subcommand's help flows the same way
    if _group.typer_instance is not None:
        _group.typer_instance.rich_markup_mode = "markdown"


@app.command()
def demo() -> None:
    """A guided tour on a throw-away store."""
    from cli.demo import run_demo

    run_demo(app)


if __name__ == "__main__":
    app()
