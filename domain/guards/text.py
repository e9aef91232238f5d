"""What text netgoals keeps, from whatever door it comes in (the JSON API, a dashboard form, an
imported file): no NUL character (PostgreSQL cannot store one, and it cuts C strings short) and no
lone surrogate (it cannot be written as UTF-8). Other characters are the person's own."""

from __future__ import annotations

from typing import Final

NUL: Final = "must not contain NUL characters"
UNENCODABLE: Final = "must be valid Unicode text"


def problem(value: str) -> str | None:
    """What is wrong with `value` (a phrase to follow the field's name), or None when it may be kept."""
    if "\x00" in value:
        return NUL
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return UNENCODABLE
    return None
