"""The few WebDAV/CalDAV request bodies netgoals sends, and a reader for multistatus answers.

Answers come from servers we do not control: they are parsed with the standard library's expat
(which refuses entity expansion bombs) after the session's size cap, and anything unexpected is
read as absent rather than trusted.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import unquote
from xml.sax.saxutils import escape

from domain.calendar_port import ProviderError

DAV, CALDAV, CS = "DAV:", "urn:ietf:params:xml:ns:caldav", "http://calendarserver.org/ns/"
_NS = f'xmlns:d="{DAV}" xmlns:c="{CALDAV}" xmlns:cs="{CS}"'


def propfind(*props: str) -> str:
    """A PROPFIND body asking for `props` written as `d:name`, `c:name` or `cs:name`."""
    inner = "".join(f"<{p}/>" for p in props)
    return f'<?xml version="1.0" encoding="utf-8"?><d:propfind {_NS}><d:prop>{inner}</d:prop></d:propfind>'


def sync_collection(token: str) -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><d:sync-collection {_NS}>'
        f"<d:sync-token>{escape(token)}</d:sync-token><d:sync-level>1</d:sync-level>"
        "<d:prop><d:getetag/></d:prop></d:sync-collection>"
    )


def event_etags() -> str:
    """calendar-query for every VEVENT's ETag (the fallback when sync-tokens fail)."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?><c:calendar-query {_NS}><d:prop><d:getetag/></d:prop>'
        '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/></c:comp-filter>'
        "</c:filter></c:calendar-query>"
    )


def multiget(hrefs: list[str]) -> str:
    refs = "".join(f"<d:href>{escape(h)}</d:href>" for h in hrefs)
    return (
        f'<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget {_NS}>'
        f"<d:prop><d:getetag/><c:calendar-data/></d:prop>{refs}</c:calendar-multiget>"
    )


def free_busy(start: datetime, end: datetime) -> str:
    def stamp(at: datetime) -> str:
        return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    return (
        f'<?xml version="1.0" encoding="utf-8"?><c:free-busy-query {_NS}>'
        f'<c:time-range start="{stamp(start)}" end="{stamp(end)}"/></c:free-busy-query>'
    )


def mkcalendar(name: str) -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><c:mkcalendar {_NS}><d:set><d:prop>'
        f"<d:displayname>{escape(name)}</d:displayname>"
        '<c:supported-calendar-component-set><c:comp name="VEVENT"/></c:supported-calendar-component-set>'
        "</d:prop></d:set></c:mkcalendar>"
    )


@dataclass(slots=True)
class Item:
    """One <d:response>: its href, its status, and the properties that came back 200."""

    href: str
    status: int = 200
    props: dict[str, ET.Element] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        element = self.props.get(name)
        if element is None or element.text is None:
            return None
        return element.text.strip()

    def hrefs(self, name: str) -> list[str]:
        element = self.props.get(name)
        if element is None:
            return []
        return [unquote(h.text.strip()) for h in element.iter(f"{{{DAV}}}href") if h.text]


@dataclass(slots=True)
class Multistatus:
    items: list[Item]
    sync_token: str | None


def _status(element: ET.Element | None) -> int:
    if element is None or not element.text:
        return 200
    parts = element.text.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 200


def read_multistatus(body: bytes) -> Multistatus:
    try:
        root = ET.fromstring(body)  # noqa: S314 - see the module's docstring
    except ET.ParseError as exc:
        raise ProviderError(f"the CalDAV server answered XML that could not be read ({exc})") from None
    if root.tag != f"{{{DAV}}}multistatus":
        raise ProviderError("the CalDAV server did not answer a WebDAV multistatus")
    items = []
    for response in root.findall(f"{{{DAV}}}response"):
        href = response.findtext(f"{{{DAV}}}href")
        if not href:
            continue
        item = Item(unquote(href.strip()), _status(response.find(f"{{{DAV}}}status")))
        for propstat in response.findall(f"{{{DAV}}}propstat"):
            if _status(propstat.find(f"{{{DAV}}}status")) != 200:
                continue
            for prop in propstat.findall(f"{{{DAV}}}prop"):
                for element in prop:
                    item.props[_short(element.tag)] = element
        items.append(item)
    token = root.findtext(f"{{{DAV}}}sync-token")
    return Multistatus(items, token.strip() if token else None)


def _short(tag: str) -> str:
    """`{DAV:}getetag` → `d:getetag` (the names the builders use)."""
    for prefix, uri in (("d", DAV), ("c", CALDAV), ("cs", CS)):
        if tag.startswith(f"{{{uri}}}"):
            return f"{prefix}:{tag[len(uri) + 2 :]}"
    return tag


def is_calendar(item: Item) -> bool:
    kind = item.props.get("d:resourcetype")
    return kind is not None and kind.find(f"{{{CALDAV}}}calendar") is not None


def holds_events(item: Item) -> bool:
    components = item.props.get("c:supported-calendar-component-set")
    if components is None:
        return True  # not said: a calendar may hold anything
    names = {c.get("name", "").upper() for c in components.findall(f"{{{CALDAV}}}comp")}
    return "VEVENT" in names


def writable(item: Item) -> bool:
    privileges = item.props.get("d:current-user-privilege-set")
    if privileges is None:
        return True  # not said: try, and a refused write says so
    names = {_short(p.tag) for priv in privileges.findall(f"{{{DAV}}}privilege") for p in priv}
    return bool(names & {"d:write", "d:write-content", "d:all", "d:bind"})
