"""Outlook's CSV export: First Name, Middle Name, Last Name, ..., E-mail Address, E-mail 2 Address,
E-mail 3 Address, Company, Job Title, Web Page, ... (column order differs between versions, so
columns are found by name)."""

from __future__ import annotations

import re

from domain.people.contact_matching import ImportedContact, normalise_linkedin_url
from integrations.contact_files.errors import RowProblem
from integrations.contact_files.table import rows

SOURCE = "outlook"
_EMAILS = ("E-mail Address", "E-mail 2 Address", "E-mail 3 Address")
# "Ann Lee (ann@example.com)" or a bare address; Exchange's "/o=..." names have no "@" and are skipped.
_IN_BRACKETS = re.compile(r"[(<]([^()<>\s]+@[^()<>\s]+)[)>]")


def _address(value: str) -> str:
    found = _IN_BRACKETS.search(value)
    return found.group(1) if found else value


def is_header(cells: list[str]) -> bool:
    names = set(cells)
    return {"First Name", "Last Name", "E-mail Address"} <= names and "Job Title" in names


def read(text: str, problems: list[RowProblem]) -> list[ImportedContact]:
    del problems  # no row of this format is wrong by itself; read_contacts checks the text
    found = []
    for row in rows(text, is_header, "Outlook contacts (First Name, Last Name, E-mail Address, ...)"):
        name = " ".join(p for p in (row.get("First Name"), row.get("Middle Name"), row.get("Last Name")) if p)
        emails = tuple(_address(row.get(column)) for column in _EMAILS if "@" in row.get(column))
        name = name or row.get("Nickname") or (emails[0] if emails else "")
        if not name:
            continue
        web = row.get("Web Page", "Personal Web Page")
        found.append(
            ImportedContact(
                where=f"line {row.line}",
                name=name,
                emails=emails,
                organisation=row.get("Company") or None,
                role=row.get("Job Title") or None,
                linkedin_url=normalise_linkedin_url(web) if web else None,
            )
        )
    return found
