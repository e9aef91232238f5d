"""`netgoals feed url|rotate`: the private iCalendar link of your networking tasks."""

from __future__ import annotations

from typing import Annotated

import typer

from cli import render
from cli.common import JsonOption, UserOption, acting_as
from service import ical
from service.settings import Settings
from service.shapes.feeds import FeedLinksOut

feed_app = typer.Typer(no_args_is_help=True, help="Subscribe to your networking tasks from any calendar app.")
GoalOption = Annotated[str | None, typer.Option("--goal", help="Only this goal's tasks (its id).")]


def _show(links: ical.FeedLinks, as_json: bool) -> None:
    if as_json:
        render.print_shape(FeedLinksOut.of(links))
        return
    render.console.print(links.https, soft_wrap=True, highlight=False)
    render.console.print(f"webcal: {links.webcal}", soft_wrap=True, highlight=False)
    for note in ical.REFRESH_NOTES.values():
        render.console.print(f"[dim]{note}[/dim]", highlight=False)


@feed_app.command("url")
def url(user: UserOption = None, goal: GoalOption = None, as_json: JsonOption = False) -> None:
    """Print the feed's link (made on first use; the same link every time after)."""
    with acting_as(user) as (service, user_id):
        _show(ical.feed_links(service, Settings(), user_id, goal), as_json)


@feed_app.command("rotate")
def rotate(user: UserOption = None, goal: GoalOption = None, as_json: JsonOption = False) -> None:
    """Make a new link; the old one stops working at once (calendars subscribed to it must re-subscribe)."""
    with acting_as(user) as (service, user_id):
        _show(ical.rotate_feed(service, Settings(), user_id, goal), as_json)
