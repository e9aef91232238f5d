"""`netgoals network ...`: assess your network. Alone it prints the assessment (as it always did);
`assess` rates unrated contacts one prompt at a time; `gaps` shows per aspiration where the network
must grow or deepen; `close-gap` sets the goal a gap proposes."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.prompt import Prompt
from rich.table import Table

from cli import render
from cli.common import JsonOption, UserOption, acting_as
from service.app import App
from service.commands import DomainError, Rating
from service.people import contacts, network_assess, network_gaps
from service.shapes.contacts import NetworkOut
from service.shapes.network import AspirationNetworkOut

network_app = typer.Typer(
    invoke_without_command=True,
    help="Assess your network: strength, last contact, who is overdue, who is new.",
)


@network_app.callback()
def network(ctx: typer.Context, user: UserOption = None, as_json: JsonOption = False) -> None:
    """Assess your network: strength, last contact, who is overdue, who is new."""
    if ctx.invoked_subcommand is not None:
        return
    with acting_as(user) as (service, user_id):
        assessment = contacts.network(service, user_id)
        if as_json:
            render.print_shape(NetworkOut.of(assessment))
            return
        for table in render.network_tables(assessment):
            render.console.print(table)


def _ask_rating(card: network_assess.AssessCard) -> Rating | None:
    """One contact's prompts; None to skip."""
    while True:
        answer = Prompt.ask("Strength 1 (weak) to 5 (strong), s to skip, q to stop", default="s").strip()
        if answer.lower() == "q":
            raise typer.Exit(0)
        if answer.lower() == "s":
            return None
        if answer in {"1", "2", "3", "4", "5"}:
            break
        render.errors.print(f"{answer!r}: type a number from 1 to 5, s or q")
    c = card.contact
    tags = Prompt.ask("Tags, comma-separated (e.g. mentor, climate)", default=", ".join(c.tags))
    cadence = Prompt.ask(
        "Keep in touch every how many days (blank: no cadence)", default=str(c.cadence_days or "")
    )
    helps: tuple[str, ...] = ()
    if card.aspirations:
        for number, aspiration in enumerate(card.aspirations, start=1):
            render.console.print(f"  {number}. {aspiration.text}")
        current = [str(i) for i, a in enumerate(card.aspirations, 1) if a.aspiration_id in c.helps_with]
        picked = Prompt.ask(
            "Can help with (numbers, comma-separated; blank: none)", default=",".join(current)
        )
        try:
            chosen = [int(n) for n in picked.replace(" ", "").split(",") if n]
            helps = tuple(card.aspirations[n - 1].aspiration_id for n in chosen if n >= 1)
        except (ValueError, IndexError):
            raise DomainError(
                f"{picked!r}: give aspiration numbers from 1 to {len(card.aspirations)}"
            ) from None
    try:
        days = int(cadence) if cadence.strip() else None
    except ValueError:
        raise DomainError(f"{cadence!r}: the cadence is a whole number of days") from None
    return Rating(int(answer), tuple(t.strip() for t in tags.split(",") if t.strip()), days, helps)


def _show(card: network_assess.AssessCard) -> None:
    c = card.contact
    render.console.rule(f"{card.position} of {card.remaining} not yet rated")
    render.console.print(f"[bold]{c.name}[/bold]", highlight=False)
    for line in (
        " · ".join(p for p in (c.role, c.organisation) if p),
        ", ".join(c.emails),
        f"known since {c.known_since.isoformat()}" if c.known_since else "",
        f"from {', '.join(render.source_name(kind) for kind, _ in c.sources)}" if c.sources else "",
    ):
        if line:
            render.console.print(f"  {line}", highlight=False)


def _pass(service: App, user_id: str, rated: list[str], skipped: set[str]) -> None:
    after = None
    while True:
        card = network_assess.next_card(service, user_id, after, frozenset(skipped))
        if card is None or card.contact.contact_id in skipped:
            return
        _show(card)
        rating = _ask_rating(card)
        after = card.contact.contact_id
        if rating is None:
            skipped.add(after)
            continue
        network_assess.rate_contact(service, user_id, after, rating)
        rated.append(after)


@network_app.command("assess")
def assess(user: UserOption = None) -> None:
    """Rate your contacts not yet assessed, one at a time (s skips; they come back next time)."""
    with acting_as(user) as (service, user_id):
        rated: list[str] = []
        skipped: set[str] = set()
        try:
            _pass(service, user_id, rated, skipped)
        except EOFError:  # the input ran out: what was rated is kept
            render.console.print()
        finally:
            render.console.print(f"Rated {len(rated)}; skipped {len(skipped)}.")
        if not network_assess.unrated(service, user_id):
            render.console.print("Everyone in your network is assessed.")


@network_app.command("gaps")
def gaps(user: UserOption = None, as_json: JsonOption = False) -> None:
    """Per aspiration: who can help, how strong, which organisations and roles, and the gaps."""
    with acting_as(user) as (service, user_id):
        views = network_gaps.by_aspiration(service, user_id)
        if as_json:
            render.print_shape([AspirationNetworkOut.of(v) for v in views])
            return
        if not views:
            render.console.print("No aspirations yet: try `netgoals aspiration add`.")
        for view in views:
            table = Table(title=view.aspiration.text, title_justify="left", show_header=False)
            table.add_column("what")
            table.add_column("value")
            table.add_row("can help", ", ".join(s.contact.name for s in view.helpers) or "nobody yet")
            table.add_row(
                "by strength", "  ".join(f"{k}: {v}" for k, v in view.by_strength.items() if v) or "–"
            )
            table.add_row("organisations", ", ".join(f"{n} ({k})" for n, k in view.organisations) or "–")
            table.add_row("roles", ", ".join(f"{n} ({k})" for n, k in view.roles) or "–")
            names = {v.aspiration.aspiration_id: v.aspiration.text for v in views}
            for gap in view.gaps:
                if gap.goal_id:  # a goal already does it: nothing to propose
                    what = f"→ [green]goal set: {gap.goal_title} ({gap.goal_id[:8]})[/green]"
                elif gap.shared_with:
                    what = f"→ {gap.proposal.title}: proposed for “{names.get(gap.shared_with, '')}” too"
                else:
                    what = (
                        f"→ {gap.proposal.title}\n"
                        f"  netgoals network close-gap {view.aspiration.aspiration_id[:8]} {gap.kind}"
                    )
                table.add_row("a gap", f"{gap.message}\n{what}")
            render.console.print(table)


@network_app.command("close-gap")
def close_gap(
    aspiration: Annotated[str, typer.Argument(help="The aspiration's id, a unique prefix or its text.")],
    gap: Annotated[
        str, typer.Argument(help="no-contacts, no-strong-tie, no-mentor, no-one-at-kind, gone-quiet.")
    ],
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Set the goal a gap proposes, linked to its aspiration."""
    from service.tracking.goals import resolve_aspiration

    with acting_as(user) as (service, user_id):
        aspiration_id = resolve_aspiration(service, user_id, aspiration)
        goal_id = network_gaps.set_gap_goal(service, user_id, aspiration_id, gap)
        if as_json:
            render.print_json({"goal_id": goal_id})
        else:
            title = service.profile(user_id).goals[goal_id].title
            render.console.print(f"Goal set: {render.named(title, goal_id)}", highlight=False)
