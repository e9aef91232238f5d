"""Dates as exports write them: LinkedIn's "12 Nov 2023", ISO "2023-11-12", vCard "20231112"."""

from __future__ import annotations

from datetime import date, datetime

from integrations.contact_files.errors import ContactFileError

_FORMATS = ("%d %b %Y", "%Y-%m-%d", "%Y%m%d", "%d %B %Y", "%m/%d/%y", "%m/%d/%Y")


def parse_date(text: str, where: str, field: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    for form in _FORMATS:
        try:
            return datetime.strptime(text, form).date()  # a calendar day, no time
        except ValueError:
            continue
    raise ContactFileError.at(where, f"{text!r} is not a date (like 12 Nov 2023 or 2023-11-12)", field)
