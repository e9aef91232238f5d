"""The one error a contact file raises: what is wrong, and on which line or card — as a sentence for
people and, row by row, as data for the API (line or card number, field, what was wrong)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from domain.errors import DomainError

_LINE = re.compile(r"line (\d+)")
_CARD = re.compile(r"^card (\d+)")


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One wrong row: `where` names it as people read it ("line 7", "card 2 (line 30)")."""

    where: str
    what: str  # "'Tuesday' is not a date (like 12 Nov 2023 or 2023-11-12)"
    field: str | None = None  # the column or property at fault ("Connected On", "URL"), when one is

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"

    @property
    def line(self) -> int | None:
        found = _LINE.search(self.where)  # a card's `where` names the line it starts on
        return int(found.group(1)) if found else None

    @property
    def card(self) -> int | None:
        found = _CARD.match(self.where)
        return int(found.group(1)) if found else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "line": self.line,
            "card": self.card,
            "field": self.field,
            "problem": self.what,
        }


class ContactFileError(DomainError):
    """The file cannot be read as a contacts export; nothing of it is imported. `rows` holds every
    wrong row when the fault is in rows (empty when the file as a whole is not an export)."""

    def __init__(self, message: str, rows: tuple[RowProblem, ...] = ()) -> None:
        super().__init__(message)
        self.rows = rows

    @classmethod
    def at(cls, where: str, what: str, field: str | None = None) -> ContactFileError:
        """The error of one row, its message as before: "line 7: ...\""""
        problem = RowProblem(where, what, field)
        return cls(str(problem), (problem,))
