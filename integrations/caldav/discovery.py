"""From what a person types to their calendars: a preset name, a bare domain or a URL →
(RFC 6764) `/.well-known/caldav` → the current user principal → the calendar home → calendars.
The well-known step is ours; the PROPFINDs are the `caldav` package's, over the guarded session.

When a bare domain answers neither, its DNS SRV record (RFC 6764 §3, `integrations.caldav.srv`)
names the host, port and path to try, through the same guarded session.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from caldav import DAVClient, Principal
from caldav.davobject import DAVObject
from caldav.elements import cdav, dav
from caldav.lib import error as dav_error
from lxml import etree

from domain.calendars.calendar_port import CalendarInfo, ProviderError, RateLimitedError, ReconnectNeededError
from integrations.caldav import dav_xml, srv
from integrations.caldav.session import Session, check_url
from integrations.caldav.transport import dav_client, dav_errors

# Where each service's CalDAV starts. Nextcloud has no one host: the person's domain + its path.
PRESETS: dict[str, str] = {
    "icloud": "https://caldav.icloud.com/",
    "fastmail": "https://caldav.fastmail.com/dav/",
    "nextcloud": "/remote.php/dav/",
}


class DiscoveryError(ProviderError):
    """The address does not lead to a CalDAV calendar home; the message says which step failed."""


def start_url(server: str, preset: str | None = None) -> str:
    """The URL to start from: a preset's, a bare domain's https root, or the URL as given."""
    server = server.strip()
    if preset is not None:
        if preset not in PRESETS:
            raise DiscoveryError(f"unknown preset {preset!r} (use one of: {', '.join(sorted(PRESETS))})")
        base = PRESETS[preset]
        if base.startswith("/"):
            if not server:
                raise DiscoveryError(f"the {preset} preset needs your server's address")
            return urljoin(start_url(server), base)
        return base
    if not server:
        raise DiscoveryError("give the CalDAV server's address (or a preset: icloud, fastmail, nextcloud)")
    if "://" not in server:
        server = f"https://{server}"
    url = check_url(server)
    return url if urlsplit(url).path else url + "/"


@dataclass(frozen=True, slots=True)
class Home:
    principal: str
    home: str
    emails: tuple[str, ...]  # the principal's calendar-user addresses (who "me" is in ATTENDEE)


def find_home(session: Session, url: str, lookup: srv.SrvLookup = srv.lookup) -> Home:
    """The principal (at `url`, or at the root's well-known address, or where the domain's SRV
    record points), its calendar home and its addresses, asked with the `caldav` package over the
    guarded session."""
    client = dav_client(session, url)
    bare = urlsplit(url).path in ("", "/")
    unreachable: ProviderError | None = None
    try:
        principal_url = _principal(client, url)
        if principal_url is None and bare:
            principal_url = _principal(client, urljoin(url, "/.well-known/caldav"))
    except (ReconnectNeededError, RateLimitedError):
        raise  # a server is there: it said no, or not now
    except ProviderError as exc:
        if not bare:
            raise
        principal_url, unreachable = None, exc
    host = urlsplit(url).hostname or ""
    if principal_url is None and bare and not _is_ip(host):  # an address has no SRV records
        found = lookup(host)
        if found is not None:  # RFC 6764 §3; the session's address policy applies to its host too
            client = dav_client(session, check_url(found.url))
            principal_url = _principal(client, found.url)
            if principal_url is None:
                principal_url = _principal(client, urljoin(found.url, "/.well-known/caldav"))
    if principal_url is None and unreachable is not None:
        raise unreachable
    if principal_url is None:
        raise DiscoveryError(f"no CalDAV account was found at {url} (is it the CalDAV address?)")
    principal = Principal(client, url=principal_url)
    with dav_errors(f"naming the calendars of the principal {principal_url}"):
        home = principal.get_property(cdav.CalendarHomeSet())
        if not home:
            raise DiscoveryError(f"the principal {principal_url} names no calendar home")
        # iCloud names a home on the principal's partition host: the library moves the client there.
        principal.calendar_home_set = home
        addresses: Any = principal.get_property(cdav.CalendarUserAddressSet(), parse_props=False)
    emails = tuple(
        unquote(h.text.strip()).removeprefix("mailto:").lower()
        for h in (addresses if addresses is not None else [])
        if h.text and h.text.strip().lower().startswith("mailto:")
    )
    return Home(principal_url, str(principal.calendar_home_set.url), emails)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _principal(client: DAVClient, url: str) -> str | None:
    """The current-user-principal named at `url` (RFC 5397), or None where there is none."""
    try:
        found = DAVObject(client, url=url).get_property(dav.CurrentUserPrincipal())
    except dav_error.DAVError:
        return None  # not a WebDAV resource (404, 405 …): the caller tries elsewhere or says so
    except etree.LxmlError:
        return None
    return urljoin(url, unquote(found)) if found else None


def list_calendars(session: Session, home: str) -> list[CalendarInfo]:
    """One PROPFIND (depth 1) on the home for every calendar with what the person may do in it;
    `principal.calendars()` would ask each calendar again for its components and privileges."""
    client = dav_client(session, home)
    with dav_errors(f"listing the calendar home {home}"):
        answer = client.propfind(home, dav_xml.propfind(*dav_xml.CALENDAR_PROPS), depth=1)
        if answer.status != 207:
            raise DiscoveryError(f"the calendar home {home} answered HTTP {answer.status}")
        found = []
        for href, props in answer.find_objects_and_props().items():
            if not dav_xml.is_calendar(props):
                continue
            url = str(client.url.join(href))
            name = dav_xml.text(props, dav.DisplayName.tag) or url.rstrip("/").rpartition("/")[2]
            found.append(CalendarInfo(url, name, dav_xml.writable(props), dav_xml.holds_events(props)))
    return found
