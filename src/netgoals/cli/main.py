"""The `netgoals` command line: keep networking goals from the terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from netgoals.cli import google as google_cli
from netgoals.cli import render
from netgoals.cli.common import JsonOption, UserOption, opened
from netgoals.cli.parsing import parse_day, parse_moment
from netgoals.cli.users import api as api_command
from netgoals.cli.users import user_app
from netgoals.config import Settings
from netgoals.domain.decisions import ContactSpec, GoalSpec, PreferenceSpec
from netgoals.domain.errors import DomainError
from netgoals.domain.goals import TEMPLATES
from netgoals.domain.periods import parse_timezone, parse_week_start
from netgoals.domain.profile import ASPIRATION_KINDS
from netgoals.service import actions, archive, contacts, goals, records, users
from netgoals.service import progress as progress_service
from netgoals.service.app import App
from netgoals.service.progress import ProgressLine

app = typer.Typer(no_args_is_help=True, help=__doc__, pretty_exceptions_enable=False)
aspiration_app = typer.Typer(no_args_is_help=True, help="Career aspirations your goals serve.")
goal_app = typer.Typer(no_args_is_help=True, help="Specific, measurable, time-bound networking goals.")
contact_app = typer.Typer(no_args_is_help=True, help="The people in your network.")
app.add_typer(aspiration_app, name="aspiration")
app.add_typer(goal_app, name="goal")
app.add_typer(contact_app, name="contact")
app.add_typer(user_app, name="user")
app.command("api")(api_command)
app.add_typer(google_cli.google_app, name="google")
app.add_typer(google_cli.suggestions_app, name="suggestions")
app.command("sync")(google_cli.sync)


@contextmanager
def _session(user: str | None = None) -> Iterator[tuple[App, str]]:
    """The store and the user a command acts for (`""`: a command for no user in particular)."""
    with opened() as (service, settings):
        yield service, (service.user(user or settings.user).user_id if user != "" else "")


# --- set-up --------------------------------------------------------------------------------------


@app.command()
def init(
    timezone: Annotated[str, typer.Option(help="Your IANA time zone, e.g. Europe/Berlin.")] = "UTC",
    week_start: Annotated[str, typer.Option(help="First day of your week.")] = "monday",
    budget: Annotated[int, typer.Option(help="Networking actions a week you can realistically do.")] = 5,
    user: UserOption = None,
) -> None:
    """Set up netgoals for you (or change your time zone, week start and weekly budget)."""
    handle = user or Settings().user
    with _session("") as (service, _):
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


@aspiration_app.command("add")
def aspiration_add(
    text: Annotated[str, typer.Argument(help="What you are working towards.")],
    kind: Annotated[str, typer.Option(help=f"One of {', '.join(ASPIRATION_KINDS)}.")] = "other",
    user: UserOption = None,
) -> None:
    """Add a career aspiration (a new job, more clients, mentorship...)."""
    with _session(user) as (service, user_id):
        aspiration_id = goals.add_aspiration(service, user_id, text, kind)
        render.console.print(f"Aspiration added: {aspiration_id}")


@aspiration_app.command("list")
def aspiration_list(user: UserOption = None, as_json: JsonOption = False) -> None:
    """List your career aspirations."""
    with _session(user) as (service, user_id):
        found = goals.list_aspirations(service, user_id)
        if as_json:
            render.print_json([goals.aspiration_as_dict(a) for a in found])
            return
        table = Table(title="Career aspirations", title_justify="left")
        for column in ("id", "kind", "aspiration"):
            table.add_column(column)
        for a in found:
            table.add_row(a.aspiration_id[:8], a.kind, a.text)
        render.console.print(table)


# --- goals ---------------------------------------------------------------------------------------


DurationOption = Annotated[
    int | None, typer.Option(help="Minutes per calendar block (5-480); default: the action's.")
]
DaysOption = Annotated[
    str | None, typer.Option(help="Days for its blocks, e.g. mon-fri or sat,sun; default: the action's.")
]
HoursOption = Annotated[
    str | None, typer.Option(help="Hours for its blocks, e.g. 18:00-21:00; default: the action's.")
]
KeywordOption = Annotated[
    list[str] | None,
    typer.Option(
        "--keyword",
        help="A word in a calendar event's title, description or location that counts it for this goal "
        "(repeatable); the goal's own keywords replace the action's defaults.",
    ),
]
DomainOption = Annotated[
    list[str] | None,
    typer.Option(
        "--domain",
        help="An attendee email domain (e.g. acme.com) that counts an event for this goal, besides its "
        "contacts (repeatable).",
    ),
]


@goal_app.command("add")
def goal_add(
    template: Annotated[str | None, typer.Option(help=f"Start from one of: {', '.join(TEMPLATES)}.")] = None,
    title: Annotated[str | None, typer.Option(help="What the goal is, in your words.")] = None,
    action: Annotated[
        str | None, typer.Option(help="The action it counts, e.g. attend-event, reach-out.")
    ] = None,
    target: Annotated[int | None, typer.Option(help="How many actions count as done per period.")] = None,
    frame: Annotated[str | None, typer.Option(help="week, month, quarter or deadline.")] = None,
    deadline: Annotated[str | None, typer.Option(help="YYYY-MM-DD, for a goal with an end date.")] = None,
    start: Annotated[str | None, typer.Option(help="YYYY-MM-DD, default today.")] = None,
    aspiration: Annotated[str | None, typer.Option(help="The aspiration it serves (id or prefix).")] = None,
    contact: Annotated[
        list[str] | None, typer.Option(help="A contact it is about (id, prefix or name).")
    ] = None,
    duration: DurationOption = None,
    days: DaysOption = None,
    hours: HoursOption = None,
    keyword: KeywordOption = None,
    domain: DomainOption = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Set a networking goal (and, if you like, how its calendar blocks are planned and which
    calendar events count for it)."""
    with _session(user) as (service, user_id):
        spec = GoalSpec(
            template=template,
            title=title,
            action=action,
            target=target,
            frame=frame,
            start=parse_day(start, "start date") if start else None,
            deadline=parse_day(deadline, "deadline") if deadline else None,
            aspiration_id=goals.resolve_aspiration(service, user_id, aspiration) if aspiration else None,
            contact_ids=tuple(contacts.resolve_contact(service, user_id, c) for c in contact or ()),
            duration=duration,
            days=days,
            hours=hours,
            keywords=tuple(keyword) if keyword else None,
            domains=tuple(domain) if domain else None,
        )
        result = goals.set_goal(service, user_id, spec)
        for warning in result.warnings:
            render.errors.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
        if as_json:
            render.print_json({"goal_id": result.goal_id, "warnings": list(result.warnings)})
        else:
            render.console.print(f"Goal set: {result.goal_id}")


@goal_app.command("list")
def goal_list(
    include_archived: Annotated[bool, typer.Option("--all", help="Include archived goals.")] = False,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """List your goals."""
    with _session(user) as (service, user_id):
        found = goals.list_goals(service, user_id, include_archived=include_archived)
        if as_json:
            render.print_json([goals.goal_as_dict(g) for g in found])
            return
        table = Table(title="Goals", title_justify="left")
        for column in ("id", "goal", "action", "target", "frame", "state"):
            table.add_column(column)
        for g in found:
            state = "archived" if g.archived_at else "paused" if g.is_paused else "active"
            frame_text = g.frame.value + (f" until {g.deadline}" if g.deadline else "")
            table.add_row(g.goal_id[:8], g.title, g.action, str(g.target), frame_text, state)
        render.console.print(table)


def _goal_change(goal: str, user: str | None, verb: str) -> None:
    with _session(user) as (service, user_id):
        goal_id = goals.resolve_goal(service, user_id, goal)
        {"pause": goals.pause_goal, "resume": goals.resume_goal, "archive": goals.archive_goal}[verb](
            service, user_id, goal_id
        )
        render.console.print(f"Goal {goal_id[:8]} {verb}d.")


GoalArgument = Annotated[str, typer.Argument(help="The goal's id (or a unique prefix, or its title).")]


@goal_app.command("revise")
def goal_revise(
    goal: GoalArgument,
    target: Annotated[int | None, typer.Option(help="The new target, from the next period on.")] = None,
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    user: UserOption = None,
) -> None:
    """Revise a goal: a new target applies from the next period; history keeps the old one."""
    with _session(user) as (service, user_id):
        goal_id = goals.resolve_goal(service, user_id, goal)
        goals.revise_goal(service, user_id, goal_id, target=target, title=title)
        render.console.print(f"Goal {goal_id[:8]} revised.")


@goal_app.command("plan")
def goal_plan(
    goal: GoalArgument,
    duration: DurationOption = None,
    days: DaysOption = None,
    hours: HoursOption = None,
    keyword: KeywordOption = None,
    domain: DomainOption = None,
    reset: Annotated[
        bool, typer.Option("--reset", help="Back to the action's defaults (then apply the options given).")
    ] = False,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """How a goal's calendar blocks are planned (duration, days, hours) and which calendar events
    count for it (keywords, domains). Without options, show them. Future blocks follow at the next
    sync."""
    with _session(user) as (service, user_id):
        goal_id = goals.resolve_goal(service, user_id, goal)
        spec = PreferenceSpec(
            duration=duration,
            days=days,
            hours=hours,
            keywords=tuple(keyword) if keyword else None,
            domains=tuple(domain) if domain else None,
        )
        if reset or spec != PreferenceSpec():
            goals.set_preferences(service, user_id, goal_id, spec, replace=reset)
        found = records.goal(service, user_id, goal_id)
        effective = goals.effective_preferences(found)
        if as_json:
            render.print_json({**goals.goal_as_dict(found), "effective": effective})
            return
        own = found.preferences.to_payload()
        lines = [f"Goal {goal_id[:8]} ({found.title}): its calendar blocks are"]
        for field, text in (
            ("duration_minutes", f"{effective['duration_minutes']} minutes long"),
            ("days", "on " + ",".join(effective["days"])),
            ("hours", f"within {effective['hours']}"),
        ):
            lines.append(f"  {text}" + ("" if own[field] is not None else f" (the {found.action} default)"))
        words = ", ".join(effective["keywords"]) or "none"
        lines.append(
            "Calendar events count for it when they mention: "
            + words
            + ("" if own["keywords"] is not None else " (the default)")
        )
        if effective["domains"]:
            lines.append("  or have attendees from: " + ", ".join(effective["domains"]))
        if found.contact_ids:
            lines.append("  or have one of its contacts among the attendees")
        render.console.print("\n".join(lines), highlight=False)


@goal_app.command("pause")
def goal_pause(goal: GoalArgument, user: UserOption = None) -> None:
    """Pause a goal: paused periods are not counted as missed."""
    _goal_change(goal, user, "pause")


@goal_app.command("resume")
def goal_resume(goal: GoalArgument, user: UserOption = None) -> None:
    """Resume a paused goal."""
    _goal_change(goal, user, "resume")


@goal_app.command("archive")
def goal_archive(goal: GoalArgument, user: UserOption = None) -> None:
    """Archive a goal you no longer pursue; its history stays."""
    _goal_change(goal, user, "archive")


# --- contacts ------------------------------------------------------------------------------------


def _contact_spec(
    name: str | None,
    email: list[str] | None,
    org: str | None,
    tag: list[str] | None,
    how_met: str | None,
    strength: int | None,
    cadence_days: int | None,
) -> ContactSpec:
    return ContactSpec(
        name=name,
        emails=tuple(email) if email else None,
        organisation=org,
        tags=tuple(tag) if tag else None,
        how_met=how_met,
        strength=strength,
        cadence_days=cadence_days,
    )


EmailOption = Annotated[list[str] | None, typer.Option("--email", help="An email address (repeatable).")]
OrgOption = Annotated[str | None, typer.Option("--org", help="Organisation.")]
TagOption = Annotated[list[str] | None, typer.Option("--tag", help="A tag such as mentor (repeatable).")]
HowMetOption = Annotated[str | None, typer.Option("--how-met", help="Where and how you met.")]
StrengthOption = Annotated[
    int | None, typer.Option("--strength", help="Relationship strength 1 (weak) to 5 (strong).")
]
CadenceOption = Annotated[int | None, typer.Option("--cadence-days", help="Keep in touch every N days.")]


@contact_app.command("add")
def contact_add(
    name: Annotated[str, typer.Argument(help="Their name.")],
    email: EmailOption = None,
    org: OrgOption = None,
    tag: TagOption = None,
    how_met: HowMetOption = None,
    strength: StrengthOption = None,
    cadence_days: CadenceOption = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a contact to your network."""
    with _session(user) as (service, user_id):
        spec = _contact_spec(name, email, org, tag, how_met, strength, cadence_days)
        contact_id = contacts.add_contact(service, user_id, spec)
        if as_json:
            render.print_json({"contact_id": contact_id})
        else:
            render.console.print(f"Contact added: {contact_id}")


@contact_app.command("update")
def contact_update(
    contact: Annotated[str, typer.Argument(help="The contact's id, a unique prefix or name.")],
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    email: EmailOption = None,
    org: OrgOption = None,
    tag: TagOption = None,
    how_met: HowMetOption = None,
    strength: StrengthOption = None,
    cadence_days: CadenceOption = None,
    user: UserOption = None,
) -> None:
    """Update a contact; a new strength is a re-assessment and the history is kept."""
    with _session(user) as (service, user_id):
        contact_id = contacts.resolve_contact(service, user_id, contact)
        contacts.update_contact(
            service,
            user_id,
            contact_id,
            _contact_spec(name, email, org, tag, how_met, strength, cadence_days),
        )
        render.console.print(f"Contact {contact_id[:8]} updated.")


@contact_app.command("list")
def contact_list(user: UserOption = None, as_json: JsonOption = False) -> None:
    """List your contacts."""
    with _session(user) as (service, user_id):
        found = contacts.list_contacts(service, user_id)
        if as_json:
            render.print_json([contacts.contact_as_dict(c, seen) for c, seen in found])
            return
        table = Table(title="Contacts", title_justify="left")
        for column in ("id", "name", "emails", "organisation", "strength", "tags", "interactions"):
            table.add_column(column)
        for c, seen in found:
            table.add_row(
                c.contact_id[:8],
                c.name,
                ", ".join(c.emails),
                c.organisation or "",
                str(c.strength or "–"),
                ", ".join(c.tags),
                str(seen.count),
            )
        render.console.print(table)


# --- actions -------------------------------------------------------------------------------------


@app.command("log")
def log(
    action: Annotated[
        str,
        typer.Argument(help="attend-event, reach-out, follow-up, offer-help, meet-mentor or your own."),
    ],
    title: Annotated[str | None, typer.Argument(help="What it was, e.g. the event's name.")] = None,
    at: Annotated[
        str | None, typer.Option(help="When: 'YYYY-MM-DD HH:MM' in your time zone; default now.")
    ] = None,
    contact: Annotated[
        list[str] | None, typer.Option(help="Who with (id, prefix or name; repeatable).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note for yourself.")] = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Log a networking action you took."""
    with _session(user) as (service, user_id):
        tz = service.profile(user_id).tz
        when = parse_moment(at, tz, "--at") if at else None
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
    with _session(user) as (service, user_id):
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
    with _session(user) as (service, user_id):
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
def network(user: UserOption = None, as_json: JsonOption = False) -> None:
    """Assess your network: strength, last contact, who is overdue, who is new."""
    with _session(user) as (service, user_id):
        assessment = contacts.network(service, user_id)
        if as_json:
            render.print_json(contacts.assessment_as_dict(assessment))
            return
        for table in render.network_tables(assessment):
            render.console.print(table)


@app.command()
def history(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many events.")] = 20,
    before: Annotated[int | None, typer.Option(help="Only events before this log position (paging).")] = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """What happened, newest first, straight from the event log."""
    with _session(user) as (service, user_id):
        found = actions.history(service, user_id, limit, before)
        if as_json:
            render.print_json(found)
            return
        table = Table(title="History", title_justify="left")
        for column in ("position", "recorded", "event", "what"):
            table.add_column(column)
        for item in found:
            table.add_row(
                str(item["position"]),
                item["recorded_at"][:16],
                item["type"],
                actions.describe(item),
            )
        render.console.print(table)


# --- maintenance ---------------------------------------------------------------------------------


@app.command()
def rebuild() -> None:
    """Rebuild the progress projection from the whole event log."""
    with _session("") as (service, _), Progress(console=render.console, transient=False) as bar:
        task = bar.add_task("Rebuilding progress", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        folded = archive.rebuild(service, advance)
        bar.update(task, completed=folded, total=max(folded, 1))
    render.console.print(f"Rebuilt from {folded} events.")


@app.command()
def export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; default stdout.")
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Every user's events, not just yours.")] = False,
    user: UserOption = None,
) -> None:
    """Export the raw events as JSON Lines."""
    with _session("" if everything else user) as (service, user_id):
        lines = archive.export_lines(service, None if everything else user_id)
        if output is None:
            for line in lines:
                sys.stdout.write(line + "\n")
        else:
            with output.open("w", encoding="utf-8") as handle:
                count = sum(1 for line in lines if handle.write(line + "\n"))
            render.errors.print(f"Exported {count} events to {output}.")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A JSON Lines file written by `netgoals export`.")],
) -> None:
    """Import events from an export: all of them or, if any line is bad, none."""
    with _session("") as (service, _):
        try:
            handle = file.open(encoding="utf-8")
        except OSError as exc:
            raise DomainError(f"cannot read {file}: {exc.strerror}") from None
        with handle:
            appended = archive.import_file(service, handle)
        render.console.print(f"Imported {appended} new events.")


@app.command()
def demo() -> None:
    """A guided tour on a throw-away store."""
    from netgoals.cli.demo import run_demo

    run_demo()


if __name__ == "__main__":
    app()
