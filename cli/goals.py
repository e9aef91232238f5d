"""`netgoals aspiration ...` and `netgoals goal ...`: what you work towards and how you measure it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cli import render
from cli.common import JsonOption, UserOption, acting_as
from cli.parsing import check_kind, parse_day
from service.commands import ASPIRATION_KINDS, TEMPLATES, DomainError, GoalSpec, PreferenceSpec
from service.people import contacts
from service.read_models import records
from service.shapes.aspirations import AspirationOut
from service.shapes.goals import GoalOut
from service.tracking import goals
from service.tracking.goals import GoalEdit

aspiration_app = typer.Typer(no_args_is_help=True, help="Career aspirations your goals serve.")
goal_app = typer.Typer(no_args_is_help=True, help="Specific, measurable, time-bound networking goals.")


@aspiration_app.command("add")
def aspiration_add(
    text: Annotated[str, typer.Argument(help="What you are working towards.")],
    kind: Annotated[str, typer.Option(help=f"One of {', '.join(ASPIRATION_KINDS)}.")] = "other",
    user: UserOption = None,
) -> None:
    """Add a career aspiration (a new job, more clients, mentorship...)."""
    with acting_as(user) as (service, user_id):
        aspiration_id = goals.add_aspiration(service, user_id, text, kind)
        render.console.print(f"Aspiration added: {render.named(text, aspiration_id)}", highlight=False)


@aspiration_app.command("edit")
def aspiration_edit(
    aspiration: Annotated[str, typer.Argument(help="The aspiration (its words, their start, or its id).")],
    text: Annotated[str | None, typer.Option(help="New words for it.")] = None,
    kind: Annotated[str | None, typer.Option(help=f"One of {', '.join(ASPIRATION_KINDS)}.")] = None,
    user: UserOption = None,
) -> None:
    """Change an aspiration's words or kind; the goals serving it keep serving it."""
    with acting_as(user) as (service, user_id):
        aspiration_id = goals.resolve_aspiration(service, user_id, aspiration)
        goals.update_aspiration(service, user_id, aspiration_id, text=text, kind=kind)
        changed = service.profile(user_id).aspirations[aspiration_id].text
        render.console.print(f"Aspiration changed: {render.named(changed, aspiration_id)}", highlight=False)


@aspiration_app.command("list")
def aspiration_list(user: UserOption = None, as_json: JsonOption = False) -> None:
    """List your career aspirations."""
    with acting_as(user) as (service, user_id):
        found = goals.list_aspirations(service, user_id)
        if as_json:
            render.print_shape([AspirationOut.of(a) for a in found])
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
    aspiration: Annotated[
        str | None, typer.Option(help="The aspiration it serves (its words, their start, or its id).")
    ] = None,
    contact: Annotated[
        list[str] | None, typer.Option(help="A contact it is about (id, prefix or name).")
    ] = None,
    duration: DurationOption = None,
    days: DaysOption = None,
    hours: HoursOption = None,
    keyword: KeywordOption = None,
    domain: DomainOption = None,
    new_kind: Annotated[bool, typer.Option("--new-kind", help="--action is a new kind of your own.")] = False,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Set a networking goal (and, if you like, how its calendar blocks are planned and which
    calendar events count for it)."""
    with acting_as(user) as (service, user_id):
        if template is None and action is None:
            raise DomainError(
                "say what the goal is: give --template (one of " + ", ".join(TEMPLATES) + "), "
                "or --action and --target (and --frame or --deadline)"
            )
        if action is not None:
            action = check_kind(action, goals.known_action_kinds(service, user_id), allow_new=new_kind)
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
            title = service.profile(user_id).goals[result.goal_id].title
            render.console.print(f"Goal set: {render.named(title, result.goal_id)}", highlight=False)


@goal_app.command("list")
def goal_list(
    include_archived: Annotated[bool, typer.Option("--all", help="Include archived goals.")] = False,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """List your goals."""
    with acting_as(user) as (service, user_id):
        found = goals.list_goals(service, user_id, include_archived=include_archived)
        if as_json:
            render.print_shape([GoalOut.of(g) for g in found])
            return
        table = Table(title="Goals", title_justify="left")
        for column in ("id", "goal", "action", "target", "frame", "state"):
            table.add_column(column)
        for g in found:
            state = "archived" if g.archived_at else "paused" if g.is_paused else "active"
            frame_text = g.frame.value + (f" until {g.deadline}" if g.deadline else "")
            action = render.action_words(g.action)
            table.add_row(g.goal_id[:8], g.title, action, str(g.target), frame_text, state)
        render.console.print(table)


def _goal_change(goal: str, user: str | None, verb: str) -> None:
    with acting_as(user) as (service, user_id):
        goal_id = goals.resolve_goal(service, user_id, goal)
        {"pause": goals.pause_goal, "resume": goals.resume_goal, "archive": goals.archive_goal}[verb](
            service, user_id, goal_id
        )
        title = service.profile(user_id).goals[goal_id].title
        render.console.print(f"Goal {verb}d: {render.named(title, goal_id)}", highlight=False)


GoalArgument = Annotated[str, typer.Argument(help="The goal's id (or a unique prefix, or its title).")]


@goal_app.command("revise")
def goal_revise(
    goal: GoalArgument,
    target: Annotated[int | None, typer.Option(help="The new target, from the next period on.")] = None,
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    aspiration: Annotated[
        str | None, typer.Option(help="The aspiration it serves from now on (its words or id).")
    ] = None,
    no_aspiration: Annotated[
        bool, typer.Option("--no-aspiration", help="It serves no aspiration in particular.")
    ] = False,
    user: UserOption = None,
) -> None:
    """Revise a goal: a new target applies from the next period (history keeps the old one); a
    new title; the aspiration it serves."""
    with acting_as(user) as (service, user_id):
        goal_id = goals.resolve_goal(service, user_id, goal)
        if aspiration is not None and no_aspiration:
            raise DomainError("give --aspiration or --no-aspiration, not both")
        if target is None and title is None and aspiration is None and not no_aspiration:
            raise DomainError("nothing to revise: give --target, --title, --aspiration or --no-aspiration")
        edit = GoalEdit(
            target=target,
            title=title,
            aspiration_id=goals.resolve_aspiration(service, user_id, aspiration) if aspiration else None,
            link=aspiration is not None or no_aspiration,
        )
        changed = goals.edit_goal(service, user_id, goal_id, edit)
        named = render.named(service.profile(user_id).goals[goal_id].title, goal_id)
        render.console.print(
            f"Goal revised: {named}" if changed else f"Goal {named} already reads so.", highlight=False
        )


@goal_app.command("plan")
def goal_plan(
    goal: GoalArgument,
    duration: DurationOption = None,
    days: DaysOption = None,
    hours: HoursOption = None,
    keyword: KeywordOption = None,
    domain: DomainOption = None,
    reset: Annotated[
        bool,
        typer.Option("--reset", help="Back to the action's defaults (then apply the options given)."),
    ] = False,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """How a goal's calendar blocks are planned (duration, days, hours) and which calendar events
    count for it (keywords, domains). Without options, show them. Future blocks follow at the next
    sync."""
    with acting_as(user) as (service, user_id):
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
            render.print_json({**GoalOut.of(found).model_dump(mode="json"), "effective": effective})
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
