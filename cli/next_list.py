"""`netgoals next`: who to reach out to next, and why. Alone it prints the ranked list; `done`,
`snooze`, `dismiss` (not now) and `never` answer an item (by its number or id); `closeness` says how
close each contact is and why; `offers` and `needs` note what you can offer and what a contact is
looking for (issue 28)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli import render
from cli.common import JsonOption, UserOption, acting_as
from cli.parsing import parse_day
from service import next_actions
from service.contacts import resolve_contact

next_app = typer.Typer(invoke_without_command=True, help="Who to reach out to next, and why.")

ItemArgument = Annotated[str, typer.Argument(help="The item's number in the list, or its id.")]


@next_app.callback()
def next_list(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD: the list as it stood then.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=next_actions.MAX_LIMIT, help="How many items.")] = 7,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Who to reach out to next, and why."""
    if ctx.invoked_subcommand is not None:
        return
    with acting_as(user) as (service, user_id):
        day = parse_day(as_of, "--as-of date") if as_of else None
        items = next_actions.next_items(service, user_id, day, limit)
    if as_json:
        render.print_json([next_actions.item_as_dict(i) for i in items])
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


def _answer(user: str | None, item: str, reply: str, until: str | None = None) -> None:
    with acting_as(user) as (service, user_id):
        day = parse_day(until, "snooze date") if until else None
        result = next_actions.answer(service, user_id, item, reply, until=day)
    logged = f" (logged as action {result['action_id']})" if result["action_id"] else ""
    render.console.print(f"{reply.capitalize()}: {result['item_id']}{logged}", highlight=False)


@next_app.command()
def done(item: ItemArgument, user: UserOption = None) -> None:
    """Did it: logs the action (it counts for your goals) and rests the item for a week."""
    _answer(user, item, "done")


@next_app.command()
def snooze(
    item: ItemArgument,
    until: Annotated[str, typer.Option("--until", help="YYYY-MM-DD: hide it until this day.")],
    user: UserOption = None,
) -> None:
    """Hide an item until a day."""
    _answer(user, item, "snoozed", until)


@next_app.command()
def dismiss(item: ItemArgument, user: UserOption = None) -> None:
    """Not now: hide an item for 7 days."""
    _answer(user, item, "dismissed")


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
        render.print_json([next_actions.closeness_as_dict(name, c) for name, c in found])
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
