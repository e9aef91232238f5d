"""`netgoals contact import FILE`: bring in the contacts people already have, preview first."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli import render
from cli.common import JsonOption, UserOption, acting_as
from service.commands import DomainError

if TYPE_CHECKING:
    from service.contact_import import ImportResult

_SHOWN = 20  # rows of each kind in the preview; the counts say how many there are


def _preview(result: ImportResult) -> None:
    found = result.as_dict()
    counts = found["counts"]
    render.console.print(
        f"{result.source} file: [bold]{counts['new']}[/bold] new, {counts['known']} already known,"
        f" {counts['conflicting']} conflicting."
    )
    for title, rows, columns in (
        ("New", found["new"], ("where", "name", "organisation", "role", "known_since")),
        ("Already known (what the file adds)", found["known"], ("where", "name", "adds")),
        ("Conflicting (the known values stay)", found["conflicts"], ("where", "name", "differences")),
    ):
        if not rows:
            continue
        table = Table(title=title, title_justify="left")
        for column in columns:
            table.add_column(column.replace("_", " "))
        for row in rows[:_SHOWN]:
            cells = [row[c] for c in columns]
            table.add_row(*(", ".join(v) if isinstance(v, list) else str(v or "") for v in cells))
        if len(rows) > _SHOWN:
            table.caption = f"… and {len(rows) - _SHOWN} more"
        render.console.print(table)


def contact_import(
    file: Annotated[Path, typer.Argument(help="Connections.csv, a .vcf, or a Google/Outlook CSV export.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking (for scripts).")] = False,
    file_format: Annotated[
        str | None, typer.Option("--format", help="linkedin, vcard, google or outlook (default: recognised).")
    ] = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import contacts from an export file: a preview first (new, already known, conflicting),
    applied only when you confirm. Re-importing the same file adds nothing."""
    from service.contact_import import import_contacts  # vobject loads only for this command

    with acting_as(user) as (service, user_id):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise DomainError(f"cannot read {file}: {exc.strerror}") from None
        preview = import_contacts(service, user_id, data, apply=False, source=file_format)
        if not as_json:
            _preview(preview)
        if not preview.plan.events:
            if as_json:
                render.print_json(preview.as_dict())
            else:
                render.console.print("Nothing to import: everyone in the file is already known.")
            return
        if not yes and (as_json or not typer.confirm("Import these contacts?", default=False)):
            if as_json:
                render.print_json(preview.as_dict())
            else:
                render.console.print("Nothing imported.")
            return
        result = import_contacts(service, user_id, data, apply=True, source=file_format)
        if as_json:
            render.print_json(result.as_dict())
        else:
            counts = result.plan.summary()
            render.console.print(
                f"Imported: {counts['new']} new contacts, {counts['known']} known ones completed"
                f" ({result.appended} events)."
            )
