"""`netgoals next`: who to reach out to next, and why. Alone it prints the ranked list; `done`,
`snooze`, `dismiss` (not now) and `never` answer an item (by its number or id); `closeness` says how
close each contact is and why; `offers` and `needs` note what you can offer and what a contact is
looking for; `--brief`, `brief` and `add-people` are for meetings with people you know: the brief
before, the new people after; `--promise` on an answer notes what you promised (issue 28)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli import render
from cli.common import JsonOption, UserOption, acting_as
from cli.parsing import parse_day
from service.people import next_actions
from service.people.contacts import resolve_contact
from service.shapes.next import BriefOut, ClosenessOut, NextItemOut

next_app = typer.Typer(invoke_without_command=True, help="Who to reach out to next, and why.")

ItemArgument = Annotated[str, typer.Argument(help="The item's number in the list, or its id.")]
MeetingArgument = Annotated[
    str, typer.Argument(help="The meeting's id (from `netgoals next`), or its number in `next --brief`.")
]
PromiseOption = Annotated[
    list[str] | None,
    typer.Option("--promise", help="What you promised (to the item's person); repeat for more."),
]


def _print_brief(found: next_actions.Brief, number: int | None = None) -> None:
    lines = next_actions.brief_text(found)
    head = f"{number}. " if number is not None else ""
    render.console.print(
        f"{head}{lines[0]}  ·  id: {found.meeting.meeting_id}", highlight=False, soft_wrap=True
    )
    for line in lines[1:]:
        render.console.print(line, highlight=False, soft_wrap=True)


@next_app.callback()
def next_list(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD: the list as it stood then.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=next_actions.MAX_LIMIT, help="How many items.")] = 7,
    user: UserOption = None,
    as_json: JsonOption = False,
    brief: Annotated[
        bool,
        typer.Option("--brief", help="Briefs for your meetings with people you know, today and tomorrow."),
    ] = False,
) -> None:
    """Who to reach out to next, and why."""
    if ctx.invoked_subcommand is not None:
        return
    if brief:
        _briefs(as_of, user, as_json)
        return
    with acting_as(user) as (service, user_id):
        day = parse_day(as_of, "--as-of date") if as_of else None
        items = next_actions.next_items(service, user_id, day, limit)
    if as_json:
        render.print_shape([NextItemOut.of(i) for i in items])
        return
    if not items:
        render.console.print("Nothing to do next: your rhythms are kept and your goals on pace.")
        return
    for number, item in enumerate(items, start=1):
        serves = item.goal_title or item.aspiration_text
        render.console.print(f"{number}. {item.reason}", highlight=False, soft_wrap=True)
        render.console.print(
            f"   for: {serves}  ·  id: {item.item_id}" if serves else f"   id: {item.item_id}",
            highlight=False,
            soft_wrap=True,
        )


def _briefs(as_of: str | None, user: str | None, as_json: bool) -> None:
    with acting_as(user) as (service, user_id):
        day = parse_day(as_of, "--as-of date") if as_of else None
        found = next_actions.briefs(service, user_id, day)
    if as_json:
        render.print_shape([BriefOut.of(b) for b in found])
        return
    if not found:
        render.console.print("No meetings with people you know today or tomorrow.")
    for number, each in enumerate(found, start=1):
        _print_brief(each, number)


def _answer(
    user: str | None, item: str, reply: str, until: str | None = None, promises: list[str] | None = None
) -> None:
    with acting_as(user) as (service, user_id):
        day = parse_day(until, "snooze date") if until else None
        result = next_actions.answer(service, user_id, item, reply, until=day, promises=tuple(promises or ()))
    logged = f" (logged as action {result['action_id']})" if result["action_id"] else ""
    render.console.print(f"{reply.capitalize()}: {result['item_id']}{logged}", highlight=False)
    for text in promises or ():
        render.console.print(f"Promise noted: {text}", highlight=False)


@next_app.command()
def done(item: ItemArgument, user: UserOption = None, promise: PromiseOption = None) -> None:
    """Did it: logs the action (it counts for your goals) and rests the item for a week."""
    _answer(user, item, "done", promises=promise)


@next_app.command()
def snooze(
    item: ItemArgument,
    until: Annotated[str, typer.Option("--until", help="YYYY-MM-DD: hide it until this day.")],
    user: UserOption = None,
    promise: PromiseOption = None,
) -> None:
    """Hide an item until a day."""
    _answer(user, item, "snoozed", until, promise)


@next_app.command()
def dismiss(item: ItemArgument, user: UserOption = None, promise: PromiseOption = None) -> None:
    """Not now: hide an item for 7 days."""
    _answer(user, item, "dismissed", promises=promise)


@next_app.command("brief")
def brief_of(meeting: MeetingArgument, user: UserOption = None, as_json: JsonOption = False) -> None:
    """The brief for one meeting with people you know."""
    with acting_as(user) as (service, user_id):
        found = next_actions.meeting_brief(service, user_id, meeting)
    if as_json:
        render.print_shape(BriefOut.of(found))
        return
    _print_brief(found)


@next_app.command("add-people")
def add_people(meeting: MeetingArgument, user: UserOption = None) -> None:
    """Add the people met at a meeting who are not contacts yet."""
    with acting_as(user) as (service, user_id):
        added = next_actions.add_people(service, user_id, meeting)
    if not added:
        render.console.print("Everyone at that meeting is in your network already.")
    for name, _ in added:
        render.console.print(f"Added {name}", highlight=False)


@next_app.command()
def never(item: ItemArgument, user: UserOption = None) -> None:
    """Never suggest this person again (or this item, if it is about no one)."""
    _answer(user, item, "never")


@next_app.command()
def closeness(
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD: as it stood then.")] = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """How close each contact is now, and why, closest first."""
    with acting_as(user) as (service, user_id):
        day = parse_day(as_of, "--as-of date") if as_of else None
        found = next_actions.closeness_list(service, user_id, day)
    if as_json:
        render.print_shape([ClosenessOut.of(name, c) for name, c in found])
        return
    for name, c in found:
        render.console.print(f"{name} ({c.score:.2f}) — {c.explanation}", highlight=False, soft_wrap=True)


@next_app.command()
def offers(
    offer: Annotated[list[str] | None, typer.Argument(help="What you can offer, one per argument.")] = None,
    user: UserOption = None,
) -> None:
    """Note what you can offer others (replaces the list; none clears it)."""
    with acting_as(user) as (service, user_id):
        kept = next_actions.set_offers(service, user_id, tuple(offer or ()))
    render.console.print("You can offer: " + (", ".join(kept) or "nothing listed"), highlight=False)


@next_app.command()
def needs(
    contact: Annotated[str, typer.Argument(help="The contact (id, name or the start of a name).")],
    need: Annotated[
        list[str] | None, typer.Argument(help="What they are looking for, one per argument.")
    ] = None,
    user: UserOption = None,
) -> None:
    """Note what a contact is looking for (replaces the list; none clears it)."""
    with acting_as(user) as (service, user_id):
        contact_id = resolve_contact(service, user_id, contact)
        kept = next_actions.set_needs(service, user_id, contact_id, tuple(need or ()))
    render.console.print("Looking for: " + (", ".join(kept) or "nothing listed"), highlight=False)
