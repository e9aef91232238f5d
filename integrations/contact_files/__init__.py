"""Contact export files: LinkedIn's Connections.csv, vCard 3.0/4.0, Google Contacts CSV and
Outlook CSV — one module per format, each turning a file into `ImportedContact` records.

`read_contacts` recognises the format from the content (the file name is only a hint) and raises
`ContactFileError` naming the line or card that is wrong."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Final

from domain.guards import text
from domain.people.contact_matching import ImportedContact
from integrations.contact_files import google_csv, linkedin, outlook_csv, vcard
from integrations.contact_files.errors import ContactFileError, RowProblem
from integrations.contact_files.table import decode

FORMATS: Final[dict[str, Callable[[str, list[RowProblem]], list[ImportedContact]]]] = {
    linkedin.SOURCE: linkedin.read,
    vcard.SOURCE: vcard.read,
    google_csv.SOURCE: google_csv.read,
    outlook_csv.SOURCE: outlook_csv.read,
}
_CSV_HEADERS: Final = (
    (linkedin.SOURCE, linkedin.is_header),
    (google_csv.SOURCE, google_csv.is_header),
    (outlook_csv.SOURCE, outlook_csv.is_header),
)
_SNIFF_LINES = 50  # LinkedIn's notes take a few lines; a header further down is not a header


MAX_NAMED = 20  # bad rows named in one error message; the rest are counted


@dataclass(frozen=True, slots=True)
class ContactFile:
    source: str  # linkedin, vcard, google, outlook
    contacts: list[ImportedContact]  # the readable rows
    problems: tuple[RowProblem, ...] = ()  # every row that is wrong, naming its line or card


def detect(text: str) -> str:
    if vcard.looks_like(text):
        return vcard.SOURCE
    for cells in csv.reader(text.splitlines()[:_SNIFF_LINES]):
        stripped = [c.strip() for c in cells]
        for source, is_header in _CSV_HEADERS:
            if is_header(stripped):
                return source
    raise ContactFileError(
        "not a contacts export we know: expected LinkedIn's Connections.csv, a vCard (.vcf),"
        " or a Google Contacts or Outlook CSV"
    )


def read_contacts(data: bytes, source: str | None = None, *, keep_going: bool = False) -> ContactFile:
    """The contacts in an export file; `source` forces a format instead of recognising it. Every
    wrong row is found in one reading: by default the file is then refused whole, naming them all;
    with `keep_going` the readable rows come back with the wrong ones in `problems`."""
    if not data.strip():
        raise ContactFileError("the file is empty")
    decoded = decode(data)
    kind = source or detect(decoded)
    reader = FORMATS.get(kind)
    if reader is None:
        raise ContactFileError(f"unknown format {kind!r}: use one of {', '.join(FORMATS)}")
    problems: list[RowProblem] = []
    contacts = []
    for contact in reader(decoded, problems):
        wrong = _text_problem(contact)
        if wrong is None:
            contacts.append(contact)
        else:
            problems.append(wrong)
    # a row's text is checked after reading: back into file order
    problems.sort(key=lambda p: p.line or p.card or 0)
    if problems and (not keep_going or not contacts):
        raise ContactFileError(problem_list(problems), tuple(problems))
    return ContactFile(kind, contacts, tuple(problems))


def problem_list(problems: list[RowProblem]) -> str:
    """One message naming the wrong rows (the first MAX_NAMED of them), as a person reads it."""
    named = "; ".join(map(str, problems[:MAX_NAMED]))
    if len(problems) == 1:
        return named
    more = f"; and {len(problems) - MAX_NAMED} more" if len(problems) > MAX_NAMED else ""
    return f"{len(problems)} rows cannot be read: {named}{more}"


_FIELD_WORDS: Final = {
    "name": "name",
    "emails": "email",
    "organisation": "organisation",
    "role": "role",
    "tags": "category",
}


def _text_problem(contact: ImportedContact) -> RowProblem | None:
    """The API's rule for text (domain/guards/text.py), the same for every format: a row the JSON API would
    refuse is a wrong row, named by its line or card, never stored."""
    for field in fields(contact)[1:]:  # after `where`, ours
        value = getattr(contact, field.name)
        for item in value if isinstance(value, tuple) else (value,):
            wrong = text.problem(item) if isinstance(item, str) else None
            if wrong is not None:
                what = _FIELD_WORDS.get(field.name, field.name.replace("_", " "))
                return RowProblem(contact.where, f"the {what} {wrong}", field.name)
    return None


__all__ = [
    "FORMATS",
    "MAX_NAMED",
    "ContactFile",
    "ContactFileError",
    "RowProblem",
    "detect",
    "problem_list",
    "read_contacts",
]
