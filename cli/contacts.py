"""`netgoals contact ...`: the people in your network."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cli import render
from cli.common import JsonOption, UserOption, acting_as
from service.commands import ContactSpec
from service.people import contacts
from service.shapes.contacts import ContactOut

contact_app = typer.Typer(no_args_is_help=True, help="The people in your network.")


def _contact_spec(
    name: str | None,
    email: list[str] | None,
    org: str | None,
    tag: list[str] | None,
    how_met: str | None,
    strength: int | None,
    cadence_days: int | None,
    role: str | None = None,
    linkedin: str | None = None,
) -> ContactSpec:
    return ContactSpec(
        name=name,
        emails=tuple(email) if email else None,
        organisation=org,
        tags=tuple(tag) if tag else None,
        how_met=how_met,
        strength=strength,
        cadence_days=cadence_days,
        role=role,
        linkedin_url=linkedin,
    )


EmailOption = Annotated[list[str] | None, typer.Option("--email", help="An email address (repeatable).")]
OrgOption = Annotated[str | None, typer.Option("--org", help="Organisation.")]
TagOption = Annotated[list[str] | None, typer.Option("--tag", help="A tag such as mentor (repeatable).")]
HowMetOption = Annotated[str | None, typer.Option("--how-met", help="Where and how you met.")]
StrengthOption = Annotated[
    int | None, typer.Option("--strength", help="Relationship strength 1 (weak) to 5 (strong).")
]
CadenceOption = Annotated[int | None, typer.Option("--cadence-days", help="Keep in touch every N days.")]
RoleOption = Annotated[str | None, typer.Option("--role", help='Their position ("" clears it).')]
LinkedInOption = Annotated[
    str | None,
    typer.Option(
        "--linkedin", help='Their LinkedIn profile, https://www.linkedin.com/in/... ("" clears it).'
    ),
]


@contact_app.command("add")
def contact_add(
    name: Annotated[str, typer.Argument(help="Their name.")],
    email: EmailOption = None,
    org: OrgOption = None,
    tag: TagOption = None,
    how_met: HowMetOption = None,
    strength: StrengthOption = None,
    cadence_days: CadenceOption = None,
    role: RoleOption = None,
    linkedin: LinkedInOption = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a contact to your network."""
    with acting_as(user) as (service, user_id):
        spec = _contact_spec(name, email, org, tag, how_met, strength, cadence_days, role, linkedin)
        warnings = contacts.contact_warnings(service, user_id, spec)
        contact_id = contacts.add_contact(service, user_id, spec)
        for warning in warnings:
            render.errors.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
        if as_json:
            render.print_json({"contact_id": contact_id})
        else:
            render.console.print(f"Contact added: {render.named(name, contact_id)}", highlight=False)


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
    role: RoleOption = None,
    linkedin: LinkedInOption = None,
    user: UserOption = None,
) -> None:
    """Update a contact; a new strength is a re-assessment and the history is kept."""
    with acting_as(user) as (service, user_id):
        contact_id = contacts.resolve_contact(service, user_id, contact)
        contacts.update_contact(
            service,
            user_id,
            contact_id,
            _contact_spec(name, email, org, tag, how_met, strength, cadence_days, role, linkedin),
        )
        render.console.print(
            f"{service.profile(user_id).contacts[contact_id].name} updated.", highlight=False
        )


@contact_app.command("list")
def contact_list(user: UserOption = None, as_json: JsonOption = False) -> None:
    """List your contacts."""
    with acting_as(user) as (service, user_id):
        found = contacts.list_contacts(service, user_id)
        if as_json:
            render.print_shape([ContactOut.of(c, seen) for c, seen in found])
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
