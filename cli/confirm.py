"""`netgoals confirm [ID] --done|--skip`: say whether a planned block happened; without an id, list
the blocks that wait for your word."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cli import render
from cli.common import JsonOption, UserOption, acting_as
from service.commands import DomainError
from service.people import contacts
from service.settings import Settings
from service.shapes.confirmations import ConfirmedOut, WaitingOut
from service.tracking import confirmation


def confirm(
    block: Annotated[
        str | None, typer.Argument(help="The planned block's id (or a unique prefix); omit to list.")
    ] = None,
    done: Annotated[bool, typer.Option("--done", help="It happened: count it.")] = False,
    skip: Annotated[bool, typer.Option("--skip", help="It did not happen: skip it.")] = False,
    with_: Annotated[
        list[str] | None,
        typer.Option("--with", help="Who it was with (a contact's id, prefix or name; repeatable)."),
    ] = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Confirm a planned block (--done or --skip), or list the blocks waiting to be confirmed."""
    with acting_as(user) as (service, user_id):
        if block is None:
            if done or skip:
                raise DomainError("say which block: netgoals confirm ID --done (see the list without ID)")
            _list(confirmation.waiting(service, user_id, Settings().confirm_after_days), as_json)
            return
        if done == skip:
            raise DomainError("say --done (it happened) or --skip (it did not)")
        action_id = confirmation.resolve_block(service, user_id, block)
        whom = tuple(contacts.resolve_contact(service, user_id, c) for c in with_ or ())
        answer = "done" if done else "skip"
        answered = confirmation.confirm(service, user_id, action_id, answer, "cli", whom)
        if as_json:
            render.print_shape(ConfirmedOut.of(answered))
            return
        counted = f"done, it counts for {answered.counts_for}" if answered.counts_for else "done, it counts"
        verdict = {"done": counted, "fulfilled": "already fulfilled", "skipped": "skipped"}
        prefix = "" if answered.changed else "Already so: "
        render.console.print(f"{prefix}{answered.title} — {verdict.get(answered.state, answered.state)}.")


def _list(waiting: list[confirmation.Waiting], as_json: bool) -> None:
    if as_json:
        render.print_shape([WaitingOut.of(w) for w in waiting])
        return
    if not waiting:
        render.console.print("Nothing waits for confirmation.")
        return
    table = Table(title="Did these happen?", title_justify="left")
    for column in ("id", "block", "when", "skipped after"):
        table.add_column(column)
    for w in waiting:
        table.add_row(w.action_id[:8], w.title, f"{w.start:%a %d %b %H:%M}", f"{w.skipped_after:%a %d %b}")
    render.console.print(table)
    render.console.print("Answer with `netgoals confirm ID --done` or `--skip`.")
