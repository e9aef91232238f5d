"""LinkedIn's "Connections.csv": a few lines of notes, then First Name, Last Name, URL, Email
Address, Company, Position, Connected On. "Connected On" tells how long we have known them."""

from __future__ import annotations

from domain.people.contact_matching import ImportedContact, normalise_linkedin_url
from integrations.contact_files.dates import parse_date
from integrations.contact_files.errors import ContactFileError, RowProblem
from integrations.contact_files.table import Row, rows

SOURCE = "linkedin"
HEADER = ("First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On")


def is_header(cells: list[str]) -> bool:
    return {"First Name", "Last Name", "URL", "Connected On"} <= set(cells)


def read(text: str, problems: list[RowProblem]) -> list[ImportedContact]:
    """The readable rows; each row that is wrong goes to `problems`, naming its line."""
    found = []
    for row in rows(text, is_header, "LinkedIn connections (First Name, Last Name, URL, ...)"):
        try:
            contact = _contact(row)
        except ContactFileError as exc:
            problems += exc.rows
            continue
        if contact is not None:
            found.append(contact)
    return found


def _contact(row: Row) -> ImportedContact | None:
    where = f"line {row.line}"
    url = row.get("URL")
    linkedin = normalise_linkedin_url(url) if url else None
    if url and linkedin is None:
        raise ContactFileError.at(where, f"{url!r} is not a LinkedIn profile URL", "URL")
    name = " ".join(part for part in (row.get("First Name"), row.get("Last Name")) if part)
    email = row.get("Email Address")
    if not name and not email and not linkedin:
        return None  # LinkedIn lists members who left with every field empty
    return ImportedContact(
        where=where,
        name=name or email or (linkedin or "").rsplit("/", 1)[-1],
        emails=(email,) if email else (),
        organisation=row.get("Company") or None,
        role=row.get("Position") or None,
        linkedin_url=linkedin,
        known_since=parse_date(row.get("Connected On"), where, "Connected On"),
    )
