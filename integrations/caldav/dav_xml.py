"""What the `caldav` package (1.x) lacks for netgoals: two property elements (the privileges a
person has on a calendar, Apple's ctag) and readers of the property elements its DAVResponse
returns. Answers come from servers we do not control: anything unexpected is read as absent."""

from __future__ import annotations

from typing import ClassVar

from caldav.elements import cdav, dav
from caldav.elements.base import BaseElement
from lxml import etree
from lxml.etree import _Element

DAV, CALDAV = "{DAV:}", "{urn:ietf:params:xml:ns:caldav}"


class CurrentUserPrivilegeSet(BaseElement):
    tag: ClassVar[str] = f"{DAV}current-user-privilege-set"  # RFC 3744 §5.4


class GetCtag(BaseElement):
    tag: ClassVar[str] = "{http://calendarserver.org/ns/}getctag"


CALENDAR_PROPS: tuple[BaseElement, ...] = (
    dav.ResourceType(),
    dav.DisplayName(),
    cdav.SupportedCalendarComponentSet(),
    CurrentUserPrivilegeSet(),
)


def body(query: BaseElement) -> str:
    """A request body from the library's elements (as its own queries are written)."""
    return str(etree.tostring(query.xmlelement(), encoding="unicode"))


def propfind(*props: BaseElement) -> str:
    return body(dav.Propfind() + (dav.Prop() + list(props)))


def text(props: dict[str, _Element], tag: str | None) -> str | None:
    element = props.get(tag or "")
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def is_calendar(props: dict[str, _Element]) -> bool:
    kind = props.get(f"{DAV}resourcetype")
    return kind is not None and kind.find(f"{CALDAV}calendar") is not None


def holds_events(props: dict[str, _Element]) -> bool:
    components = props.get(f"{CALDAV}supported-calendar-component-set")
    if components is None:
        return True  # not said: a calendar may hold anything
    names = {str(c.get("name", "")).upper() for c in components.findall(f"{CALDAV}comp")}
    return "VEVENT" in names


def writable(props: dict[str, _Element]) -> bool:
    privileges = props.get(f"{DAV}current-user-privilege-set")
    if privileges is None:
        return True  # not said: try, and a refused write says so
    names = {str(p.tag) for priv in privileges.findall(f"{DAV}privilege") for p in priv}
    return bool(names & {f"{DAV}{n}" for n in ("write", "write-content", "all", "bind")})
