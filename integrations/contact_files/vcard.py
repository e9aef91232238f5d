"""vCard 3.0 and 4.0 (`.vcf` from phones, Google, Apple, Outlook), read with vobject: folded lines,
several EMAILs, PHOTOs (ignored), non-ASCII names. LinkedIn profiles come from URL or
X-SOCIALPROFILE. An error names the card (1st, 2nd, ...) and the line it starts on."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import vobject
from vobject.base import ParseError

from domain.people.contact_matching import ImportedContact, normalise_linkedin_url
from integrations.contact_files.dates import parse_date
from integrations.contact_files.errors import ContactFileError, RowProblem

SOURCE = "vcard"
_BEGIN = re.compile(r"^BEGIN:VCARD\s*$", re.IGNORECASE)
# BEGIN/END of any component, with vobject's optional group prefix ("item1.BEGIN:VCARD").
_BOUNDARY = re.compile(r"^(?:[\w-]+\.)?(BEGIN|END)\s*:", re.IGNORECASE)
# A card inside a card (vCard 2.1's AGENT) is as deep as real files go; vobject turns nested
# components into native objects recursively, so depth is refused before it reads anything.
MAX_DEPTH = 2


def looks_like(text: str) -> bool:
    return text.lstrip().upper().startswith("BEGIN:VCARD")


def _card_starts(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if _BEGIN.match(line)]


def _line_of(text: str, message: str, start: int) -> str:
    """ " at line N" for vobject's "Failed to parse line: ...", found from the card's start (vobject's
    own line numbers count unfolded lines, not the file's)."""
    _, found, bad = message.partition("Failed to parse line: ")
    if not found:
        return ""
    for number, line in enumerate(text.splitlines()[start - 1 :], start=start):
        if line.strip() == bad.strip():
            return f", line {number}"
    return ""


def _text(card: Any, name: str) -> str:
    lines = card.contents.get(name) or []
    for line in lines:
        value = line.value
        if isinstance(value, list):  # ORG: organisation; unit; ...
            value = value[0] if value else ""
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _name(card: Any) -> str:
    full = _text(card, "fn")
    if full:
        return full
    for line in card.contents.get("n") or []:
        n = line.value  # vobject's Name: family, given, additional, prefix, suffix
        parts = [n.prefix, n.given, n.additional, n.family, n.suffix]
        joined = " ".join(" ".join(p) if isinstance(p, list) else p for p in parts if p)
        if joined.strip():
            return " ".join(joined.split())
    return ""


def _contact(card: Any, where: str) -> ImportedContact:
    emails = tuple(
        line.value.strip()
        for line in card.contents.get("email") or []
        if isinstance(line.value, str) and line.value.strip()
    )
    links = [
        line.value
        for key in ("url", "x-socialprofile")
        for line in card.contents.get(key) or []
        if isinstance(line.value, str)
    ]
    linkedin = next((u for u in map(normalise_linkedin_url, links) if u), None)
    name = _name(card) or (emails[0] if emails else "")
    if not name:
        raise ContactFileError.at(where, "the card has no name (FN or N) and no email", "FN")
    return ImportedContact(
        where=where,
        name=name,
        emails=emails,
        organisation=_text(card, "org") or None,
        role=_text(card, "title") or _text(card, "role") or None,
        linkedin_url=linkedin,
        known_since=parse_date(_text(card, "x-connected-on"), where, "X-CONNECTED-ON"),
        tags=_categories(card),
        revised=_revised(_text(card, "rev")),
    )


def _revised(text: str) -> datetime | None:
    """REV as phones write it ("20231112T103000Z", "2023-11-12T10:30:00Z", or a day): when the card
    last changed, for "take whichever changed last". A REV that cannot be read says nothing about
    which is newer, so it is ignored rather than refusing the card (it was never required)."""
    compact = text.strip().replace("-", "").replace(":", "")
    for form in ("%Y%m%dT%H%M%S%z", "%Y%m%dT%H%M%SZ", "%Y%m%dT%H%M%S", "%Y%m%d"):
        try:
            found = datetime.strptime(compact, form)
        except ValueError:
            continue
        return found if found.tzinfo else found.replace(tzinfo=UTC)  # a floating REV: read as UTC
    return None


def _categories(card: Any) -> tuple[str, ...]:
    """CATEGORIES ("Work,Climate"), on one line or several: the card's tags, in order, once each."""
    found: list[str] = []
    for line in card.contents.get("categories") or []:
        values = line.value if isinstance(line.value, list) else str(line.value).split(",")
        found += [v.strip() for v in values if isinstance(v, str) and v.strip()]
    return tuple(dict.fromkeys(found))


def _check_depth(text: str) -> None:
    """Refuse components nested deeper than MAX_DEPTH, naming the card: checked on the logical lines
    (continuation lines unfolded) as vobject reads them, in one pass, whatever the depth."""
    depth, card, card_line = 0, 0, 0
    logical: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line[:1] in (" ", "\t") and logical:
            logical[-1] = (logical[-1][0], logical[-1][1] + line[1:])
        else:
            logical.append((number, line))
    for number, line in logical:
        found = _BOUNDARY.match(line)
        if found is None:
            continue
        if found.group(1).upper() == "BEGIN":
            if depth == 0:
                card, card_line = card + 1, number
            depth += 1
            if depth > MAX_DEPTH:
                raise ContactFileError.at(
                    f"card {card} (line {card_line})",
                    f"components nested more than {MAX_DEPTH} deep (line {number});"
                    " a card may hold at most one card inside it",
                )
        else:
            depth = max(depth - 1, 0)


def read(text: str, problems: list[RowProblem]) -> list[ImportedContact]:
    """The readable cards; a card without a name or with a bad date goes to `problems`. A card
    vobject cannot parse stops the reading: what follows it cannot be trusted."""
    _check_depth(text)
    starts = _card_starts(text)
    found: list[ImportedContact] = []

    def where(index: int) -> str:
        line = f" (line {starts[index]})" if index < len(starts) else ""
        return f"card {index + 1}{line}"

    cards = vobject.readComponents(text, validate=False)
    index = 0
    while True:
        try:
            card = next(cards)
        except StopIteration:
            break
        except ParseError as exc:
            message = str(exc.args[0]) if exc.args else "unreadable"
            at = _line_of(text, message, starts[index] if index < len(starts) else 1)
            raise ContactFileError.at(where(index), f"not a valid vCard{at} ({message})") from None
        except (ValueError, UnicodeError, AttributeError, TypeError, IndexError, KeyError) as exc:
            # e.g. a PHOTO whose base64 is broken: vobject fails in many ways on bad input
            raise ContactFileError.at(where(index), f"not a valid vCard ({exc})") from None
        if card.name.upper() != "VCARD":
            raise ContactFileError.at(where(index), f"a {card.name} where a VCARD was expected")
        try:
            found.append(_contact(card, where(index)))
        except ContactFileError as exc:
            problems += exc.rows
        index += 1
    if not found and not problems:
        raise ContactFileError("the file holds no vCards (BEGIN:VCARD ... END:VCARD)")
    return found
