"""`netgoals contact import FILE`: bring in the contacts people already have, preview first."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli import render
from cli.common import JsonOption, UserOption, acting_as
from service.commands import DomainError
from service.shapes.imports import ImportOut

if TYPE_CHECKING:
    from service.people.contact_import import ImportResult

_SHOWN = 20  # rows of each kind in the preview; the counts say how many there are
_CONFLICT_TITLES = {
    "keep": "Conflicting (yours stay; --on-conflict file or newer to take the file's)",
    "file": "Conflicting (the file's values replace yours)",
    "newer": "Conflicting (whichever changed last stands)",
}
OnConflict = Annotated[
    str,
    typer.Option(
        "--on-conflict",
        help="Where the file disagrees with a contact you have: keep (yours), file (the file's),"
        " or newer (whichever changed last: a vCard's REV against your last change).",
    ),
]


def _preview(result: ImportResult) -> None:
    found = ImportOut.of(result).model_dump(mode="json")
    counts = found["counts"]
    render.console.print(
        f"{render.source_name(result.source)} file: [bold]{counts['new']}[/bold] new,"
        f" {counts['known']} already known, {counts['conflicting']} conflicting."
    )
    if result.left_out:
        render.console.print(
            f"Left out, as you chose (--import-rest): {len(result.left_out)} wrong row(s).", soft_wrap=True
        )
        for problem in result.left_out[:_SHOWN]:
            render.console.print(f"  {problem}", soft_wrap=True, markup=False)
    for title, rows, columns in (
        ("New", found["new"], ("where", "name", "organisation", "role", "known_since")),
        ("Already known (what the file adds)", found["known"], ("where", "name", "adds")),
        (_CONFLICT_TITLES[result.on_conflict], found["conflicts"], ("where", "name", "differences", "taken")),
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
    on_conflict: OnConflict = "keep",
    import_rest: Annotated[
        bool,
        typer.Option(
            "--import-rest",
            help="Import the readable rows and list the wrong ones (default: all or nothing).",
        ),
    ] = False,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import contacts from an export file: a preview first (new, already known, conflicting),
    applied only when you confirm. A file with wrong rows is refused whole, naming every one, unless
    --import-rest. Re-importing the same file adds nothing."""
    from service.people.contact_import import import_contacts  # vobject loads only for this command

    with acting_as(user) as (service, user_id):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise DomainError(f"cannot read {file}: {exc.strerror}") from None
        run = partial(
            import_contacts,
            service,
            user_id,
            data,
            source=file_format,
            skip_bad=import_rest,
            on_conflict=on_conflict,
        )
        preview = run(apply=False)
        if not as_json:
            _preview(preview)
        if not preview.plan.events:
            if as_json:
                render.print_shape(ImportOut.of(preview))
            else:
                render.console.print("Nothing to import: everyone in the file is already known.")
                if preview.plan.conflicts and on_conflict == "keep":
                    render.console.print(
                        "Yours stay where the file differs; --on-conflict file (or newer) takes the file's."
                    )
            return
        if not yes and (as_json or not typer.confirm("Import these contacts?", default=False)):
            if as_json:
                render.print_shape(ImportOut.of(preview))
            else:
                render.console.print("Nothing imported.")
            return
        result = run(apply=True)
        if as_json:
            render.print_shape(ImportOut.of(result))
        else:
            counts = result.plan.summary()
            taken = sum(1 for c in result.plan.conflicts if c.taken)
            render.console.print(
                f"Imported: {counts['new']} new contacts, {counts['known']} known ones completed"
                + (f", {taken} updated from the file" if taken else "")
                + f" ({result.appended} events)."
            )
