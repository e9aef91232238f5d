"""Contact export files: LinkedIn's Connections.csv, vCard 3.0/4.0, Google Contacts CSV and
Outlook CSV — one module per format, each turning a file into `ImportedContact` records.

`read_contacts` recognises the format from the content (the file name is only a hint) and raises
`ContactFileError` naming the line or card that is wrong."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Final

from domain import text
from domain.contact_matching import ImportedContact
from integrations.contact_files import google_csv, linkedin, outlook_csv, vcard
from integrations.contact_files.errors import ContactFileError
from integrations.contact_files.table import decode

FORMATS: Final[dict[str, Callable[[str], list[ImportedContact]]]] = {
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


@dataclass(frozen=True, slots=True)
class ContactFile:
    source: str  # linkedin, vcard, google, outlook
    contacts: list[ImportedContact]


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


def read_contacts(data: bytes, source: str | None = None) -> ContactFile:
    """The contacts in an export file; `source` forces a format instead of recognising it."""
    if not data.strip():
        raise ContactFileError("the file is empty")
    decoded = decode(data)
    kind = source or detect(decoded)
    reader = FORMATS.get(kind)
    if reader is None:
        raise ContactFileError(f"unknown format {kind!r}: use one of {', '.join(FORMATS)}")
    contacts = reader(decoded)
    for contact in contacts:
        _check_text(contact)
    return ContactFile(kind, contacts)


_FIELD_WORDS: Final = {"name": "name", "emails": "email", "organisation": "organisation", "role": "role"}


def _check_text(contact: ImportedContact) -> None:
    """The API's rule for text (domain/text.py), the same for every format: a file is refused whole,
    naming the line or card, rather than stored with what the JSON API would refuse."""
    for field in fields(contact)[1:]:  # after `where`, ours
        value = getattr(contact, field.name)
        for item in value if isinstance(value, tuple) else (value,):
            wrong = text.problem(item) if isinstance(item, str) else None
            if wrong is not None:
                what = _FIELD_WORDS.get(field.name, field.name.replace("_", " "))
                raise ContactFileError(f"{contact.where}: the {what} {wrong}")


__all__ = ["FORMATS", "ContactFile", "ContactFileError", "detect", "read_contacts"]
