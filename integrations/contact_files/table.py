"""Reading a CSV export: find its header (some exports start with notes), then hand each row on as
a dict with the physical line it started on. Broken quoting or a row of the wrong width is an
error naming its line."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from integrations.contact_files.errors import ContactFileError


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    cells: dict[str, str]

    def get(self, *names: str) -> str:
        """The first of these columns that has a value, stripped."""
        for name in names:
            value = self.cells.get(name, "").strip()
            if value:
                return value
        return ""


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else UTF-16 with its mark (Outlook), else Latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def rows(text: str, is_header: Callable[[list[str]], bool], what: str) -> Iterator[Row]:
    """The rows after the first line `is_header` accepts; lines before it are notes."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if header is None:
                if is_header([c.strip() for c in cells]):
                    header = [c.strip() for c in cells]
                continue
            if not any(c.strip() for c in cells):
                continue  # a blank line
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                raise ContactFileError.at(
                    f"line {line}",
                    f"{len(cells)} fields where the header has {len(header)} (a comma outside quotes?)",
                )
            yield Row(line, dict(zip(header, cells, strict=False)))
    except csv.Error as exc:
        raise ContactFileError.at(f"line {start}", f"not valid CSV ({exc})") from None
    if header is None:
        raise ContactFileError(f"no {what} header found")
