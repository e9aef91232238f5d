"""From what a person types to their calendars: a preset name, a bare domain or a URL →
(RFC 6764) `/.well-known/caldav` → the current user principal → the calendar home → calendars.

DNS SRV records (`_caldavs._tcp`) are the other half of RFC 6764; the well-known path is what
every service in the presets answers, so only it is tried.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from domain.calendar_port import CalendarInfo, ProviderError
from integrations.caldav import dav_xml
from integrations.caldav.session import Session, check_url

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


def find_home(session: Session, url: str) -> Home:
    principal = _principal(session, url)
    if principal is None and urlsplit(url).path in ("", "/"):
        principal = _principal(session, urljoin(url, "/.well-known/caldav"))
    if principal is None:
        raise DiscoveryError(f"no CalDAV account was found at {url} (is it the CalDAV address?)")
    answer = session.request(
        "PROPFIND",
        principal,
        dav_xml.propfind("c:calendar-home-set", "c:calendar-user-address-set"),
        depth="0",
    )
    if answer.status != 207:
        raise DiscoveryError(f"the principal {principal} answered HTTP {answer.status}, not its calendars")
    items = dav_xml.read_multistatus(answer.body).items
    homes = [h for item in items for h in item.hrefs("c:calendar-home-set")]
    if not homes:
        raise DiscoveryError(f"the principal {principal} names no calendar home")
    emails = tuple(
        h.removeprefix("mailto:").lower()
        for item in items
        for h in item.hrefs("c:calendar-user-address-set")
        if h.lower().startswith("mailto:")
    )
    return Home(principal, urljoin(answer.url, homes[0]), emails)


def _principal(session: Session, url: str) -> str | None:
    answer = session.request("PROPFIND", url, dav_xml.propfind("d:current-user-principal"), depth="0")
    if answer.status != 207:
        return None
    for item in dav_xml.read_multistatus(answer.body).items:
        for href in item.hrefs("d:current-user-principal"):
            return urljoin(answer.url, href)
    return None


_CALENDAR_PROPS = (
    "d:resourcetype",
    "d:displayname",
    "c:supported-calendar-component-set",
    "d:current-user-privilege-set",
)


def list_calendars(session: Session, home: str) -> list[CalendarInfo]:
    answer = session.request(
        "PROPFIND",
        home,
        dav_xml.propfind(
            "d:resourcetype",
            "d:displayname",
            "c:supported-calendar-component-set",
            "d:current-user-privilege-set",
        ),
        depth="1",
    )
    if answer.status != 207:
        raise DiscoveryError(f"the calendar home {home} answered HTTP {answer.status}")
    found = []
    for item in dav_xml.read_multistatus(answer.body).items:
        if not dav_xml.is_calendar(item):
            continue
        url = urljoin(answer.url, item.href)
        name = item.text("d:displayname") or url.rstrip("/").rpartition("/")[2]
        found.append(CalendarInfo(url, name, dav_xml.writable(item), dav_xml.holds_events(item)))
    return found
