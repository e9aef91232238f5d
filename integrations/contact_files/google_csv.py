"""Google Contacts' CSV export, in both of its layouts: the current one (First Name, Last Name,
E-mail 1 - Value, Organization Name, Organization Title, ...) and the older "Google CSV" (Name,
Given Name, Family Name, E-mail 1 - Value, Organization 1 - Name, Organization 1 - Title, ...).
One cell may hold several values separated by " ::: "."""

from __future__ import annotations

from domain.people.contact_matching import ImportedContact, normalise_linkedin_url
from integrations.contact_files.errors import RowProblem
from integrations.contact_files.table import Row, rows

SOURCE = "google"
_SEPARATOR = " ::: "


def is_header(cells: list[str]) -> bool:
    names = set(cells)
    return "E-mail 1 - Value" in names and bool(names & {"First Name", "Given Name", "Name"})


def _values(row: Row, suffix: str, prefix: str) -> list[str]:
    """Every value of the numbered columns `prefix N - suffix`, split at Google's separator."""
    found: list[str] = []
    for column, cell in row.cells.items():
        if column.startswith(prefix) and column.endswith(suffix):
            found += [v.strip() for v in cell.split(_SEPARATOR) if v.strip()]
    return found


def read(text: str, problems: list[RowProblem]) -> list[ImportedContact]:
    del problems  # no row of this format is wrong by itself; read_contacts checks the text
    found = []
    for row in rows(text, is_header, "Google Contacts (First Name, ..., E-mail 1 - Value)"):
        given = row.get("First Name", "Given Name")
        middle = row.get("Middle Name", "Additional Name")
        family = row.get("Last Name", "Family Name")
        name = row.get("Name") or " ".join(p for p in (given, middle, family) if p)
        emails = _values(row, " - Value", "E-mail ")
        websites = _values(row, " - Value", "Website ")
        linkedin = next((u for u in map(normalise_linkedin_url, websites) if u), None)
        name = name or row.get("Nickname", "File As") or (emails[0] if emails else "")
        if not name:
            continue  # a row of phone numbers only: nobody to assess
        found.append(
            ImportedContact(
                where=f"line {row.line}",
                name=name,
                emails=tuple(emails),
                organisation=row.get("Organization Name", "Organization 1 - Name") or None,
                role=row.get("Organization Title", "Organization 1 - Title") or None,
                linkedin_url=linkedin,
            )
        )
    return found
