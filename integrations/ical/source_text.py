"""A calendar's text made readable before any parser sees it, the way the forgiving clients read it.

- Lines are unfolded first (RFC 5545 §3.1) and split only on CRLF or LF: a folded description
  whose continuation begins "End: 21:00" is text, not the end of a component, and U+2028, VT, FF
  or NEL inside a value never split a line.
- BEGIN and END must pair up (icalendar forgives a missing END, which would read half an event as
  a whole one): an unpaired one refuses the calendar with its line number.
- Each top-level component is kept or left out on its own (`Component` blocks): one that icalendar
  cannot parse is left out with a reason, and the rest is read.
- Alarms are dropped: netgoals never uses them, and a malformed TRIGGER must not cost an event.
- A custom VTIMEZONE is renamed after its own content. icalendar caches custom zones process-wide
  by TZID, first definition wins; Outlook calls every custom zone "Customized Time Zone", so one
  calendar's definition was applied to another's events. A name made from the definition makes
  each calendar's zones its own, whichever process reads it and in what order.
- A VTIMEZONE with its TZID twice keeps the first; a TZID parameter with an unterminated quote
  loses the quote (the value runs to the colon, as other parsers read it).
- Outlook's display names without a VTIMEZONE ("(UTC-05:00) Eastern Time (US & Canada)") are
  mapped to IANA zones with CLDR's Windows table (icalendar ships it; Windows key names such as
  "Eastern Standard Time" it already reads) or a city the name lists whose zone has that offset,
  else a fixed offset (`Etc/GMT+5`, no daylight saving).
"""

from __future__ import annotations

import hashlib
import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

UNFOLD = re.compile(r"\r?\n[ \t]")
NEWLINE = re.compile(r"\r?\n")
_TZID_PARAM = re.compile(r';TZID=("[^"]*"|[^;:]*)', re.IGNORECASE)
_DISPLAY = re.compile(r"^\(UTC(?:([+-])(\d{2}):(\d{2}))?\)\s*(.*)$")


class TextError(ValueError):
    """The text cannot be a calendar; the message names the line."""


@dataclass
class Prepared:
    header: list[str]  # VCALENDAR's own lines, BEGIN:VCALENDAR first
    blocks: list[list[str]]  # each top-level component's lines
    notes: list[str] = field(default_factory=list)  # what was repaired or left out, for people

    def text(self, blocks: list[list[str]] | None = None) -> str:
        lines = [*self.header]
        for block in self.blocks if blocks is None else blocks:
            lines += block
        lines.append("END:VCALENDAR")
        return "\r\n".join(lines) + "\r\n"


def content_lines(text: str) -> list[str]:
    return [line for line in NEWLINE.split(UNFOLD.sub("", text)) if line.strip()]


def _name(line: str) -> tuple[str, str]:
    """(BEGIN or END or "", the component name) of a content line."""
    head, colon, value = line.partition(":")
    kind = head.strip().upper()
    if colon and kind in ("BEGIN", "END"):
        return kind, value.strip().upper()
    return "", ""


def split_calendars(text: str) -> list[Prepared]:
    """The VCALENDARs of a text, each as its header and top-level blocks (alarms dropped)."""
    calendars: list[Prepared] = []
    stack: list[str] = []
    current: Prepared | None = None
    block: list[str] = []
    for number, line in enumerate(content_lines(text), start=1):
        kind, name = _name(line)
        if kind == "BEGIN":
            stack.append(name)
            if len(stack) == 1:
                current = Prepared([line], [])
                calendars.append(current)
                continue
        elif kind == "END":
            if not stack or stack[-1] != name:
                raise TextError(f"END:{name} on line {number} closes nothing open")
            stack.pop()
            if not stack:
                continue
        if current is None or not stack:
            continue  # text outside any VCALENDAR
        if len(stack) == 1 and kind != "END":
            current.header.append(line)
            continue
        if "VALARM" in stack or (kind == "END" and name == "VALARM"):
            continue
        block.append(line)
        if kind == "END" and len(stack) == 1:
            current.blocks.append(block)
            block = []
    if stack:
        raise TextError(f"BEGIN:{stack[-1]} is never closed")
    for calendar in calendars:
        _repair_timezones(calendar)
    return calendars


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@cache
def iana_for_display(name: str) -> str | None:
    """An IANA zone for a Windows display name, or None when `name` is not one."""
    match = _DISPLAY.match(name.strip())
    if match is None:
        return None
    sign, hours, minutes, words = match.groups()
    offset = timedelta(hours=int(hours or 0), minutes=int(minutes or 0)) * (-1 if sign == "-" else 1)
    key = re.sub(r"\s*\(.*?\)", "", words).replace(" Time", " Standard Time").strip()
    if key in WINDOWS_TO_OLSON:
        return WINDOWS_TO_OLSON[key]
    for word in re.split(r"[,/&()]|\band\b", words):
        city = word.strip().replace(" ", "_")
        for zone in sorted(z for z in _known_zones() if city and z.endswith("/" + city)):
            if _standard_offset(zone) == offset:
                return zone
    if offset.seconds % 3600 == 0 and abs(offset) <= timedelta(hours=14):
        hours_east = int(offset.total_seconds() // 3600)
        return "Etc/GMT" if hours_east == 0 else f"Etc/GMT{-hours_east:+d}"  # POSIX signs: inverted
    return None


def _standard_offset(zone: str) -> timedelta | None:
    """The zone's smaller offset of January and July: its standard time."""
    tz = zoneinfo.ZoneInfo(zone)
    offsets = [datetime(2026, month, 1, tzinfo=tz).utcoffset() for month in (1, 7)]
    return min(o for o in offsets if o is not None)


def _tzid_of(block: list[str]) -> str | None:
    for line in block[1:]:
        head, _, value = line.partition(":")
        if head.split(";")[0].strip().upper() == "TZID":
            return value.strip()
    return None


def _repair_timezones(calendar: Prepared) -> None:
    renames: dict[str, str] = {}
    for index, block in enumerate(calendar.blocks):
        if _name(block[0])[1] != "VTIMEZONE":
            continue
        tzid = _tzid_of(block)
        seen = False
        kept = []
        for line in block:
            if line.partition(":")[0].split(";")[0].strip().upper() == "TZID":
                if seen:
                    continue  # a second TZID (a WordPress export): the first names the zone
                seen = True
            kept.append(line)
        calendar.blocks[index] = kept
        if tzid and tzid not in _known_zones():
            digest = hashlib.sha256("\n".join(kept).encode()).hexdigest()[:12]
            renames[tzid] = f"{tzid} [{digest}]"
    for block in calendar.blocks:
        for line in block:
            for match in _TZID_PARAM.finditer(_close_quote(line)[: _parameters_end(_close_quote(line))]):
                tzid = match.group(1).strip('"')
                if tzid not in renames and (zone := iana_for_display(tzid)) is not None:
                    renames[tzid] = zone
    for index, block in enumerate(calendar.blocks):
        calendar.blocks[index] = [_rename(_close_quote(line), renames) for line in block]


def _close_quote(line: str) -> str:
    """A parameter part with an odd number of quotes loses the unpaired one."""
    name_end = _parameters_end(line)
    head = line[:name_end]
    if head.count('"') % 2 == 0:
        return line
    at = head.rfind('"')
    return line[:at] + line[at + 1 :]


def _parameters_end(line: str) -> int:
    """Where the value starts: the first colon outside quotes, else the first colon at all."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return index
    return max(line.find(":"), 0)


def _rename(line: str, renames: dict[str, str]) -> str:
    if not renames:
        return line
    head, colon, value = line[: _parameters_end(line)], ":", line[_parameters_end(line) + 1 :]
    if head.split(";")[0].strip().upper() == "TZID" and value.strip() in renames:
        return f"{head}{colon}{renames[value.strip()]}"

    def swap(match: re.Match[str]) -> str:
        tzid = match.group(1).strip('"')
        return f';TZID="{renames[tzid]}"' if tzid in renames else match.group(0)

    return _TZID_PARAM.sub(swap, head) + colon + value
