"""RFC 6764 §3 discovery from DNS, with a resolver the test passes: the `_caldavs._tcp` SRV record
gives the host and port, its TXT `path=` the path; discovery goes there through the guarded
session, so a record that points at a private address is refused like any other request."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import pytest

from domain.calendars.calendar_port import ProviderError
from integrations.caldav import srv
from integrations.caldav.discovery import find_home
from integrations.caldav.session import Session
from integrations.outbound.guard import HostNotFoundError


class Zone:
    """A DNS resolver answering from a dict of (name, type) → record texts; NXDOMAIN otherwise."""

    def __init__(self, records: dict[tuple[str, str], list[str]]) -> None:
        self.records = records
        self.asked: list[tuple[str, str]] = []

    def resolve(self, qname: str, rdtype: str, *, lifetime: float | None = None) -> Iterable[Any]:
        assert lifetime is not None  # never the library's default wait
        self.asked.append((qname, rdtype))
        if (qname, rdtype) not in self.records:
            raise dns.resolver.NXDOMAIN
        kind = dns.rdatatype.from_text(rdtype)
        return [dns.rdata.from_text(dns.rdataclass.IN, kind, t) for t in self.records[(qname, rdtype)]]


NAME = "_caldavs._tcp.example.org"


def test_the_srv_record_gives_host_and_port_and_the_txt_record_the_path() -> None:
    zone = Zone(
        {
            (NAME, "SRV"): ["20 0 443 backup.example.org.", "10 5 8443 dav.example.org."],
            (NAME, "TXT"): ['"other=1" "path=/caldav/"'],
        }
    )
    found = srv.lookup("example.org", zone)
    assert found == srv.Service("dav.example.org", 8443, "/caldav/")
    assert found.url == "https://dav.example.org:8443/caldav/"


def test_no_record_or_a_dot_target_is_no_service_and_no_txt_is_the_root() -> None:
    assert srv.lookup("example.org", Zone({})) is None
    assert srv.lookup("example.org", Zone({(NAME, "SRV"): ["0 0 0 ."]})) is None  # RFC 2782: none here
    found = srv.lookup("example.org", Zone({(NAME, "SRV"): ["0 0 443 dav.example.org."]}))
    assert found == srv.Service("dav.example.org", 443, "/")


def _resolver(addresses: dict[str, list[str]], asked: list[tuple[str, int]]) -> Any:
    """The guard's name lookup: records what the session tried to reach."""

    def resolve(host: str, port: int) -> list[str]:
        asked.append((host, port))
        if host not in addresses:
            raise HostNotFoundError(f"the host {host!r} could not be found")
        return addresses[host]

    return resolve


def test_discovery_goes_where_the_srv_record_points_when_the_domain_answers_nothing() -> None:
    asked: list[tuple[str, int]] = []
    session = Session("ada", "pw", allow_private=False, resolver=_resolver({}, asked))
    zone = Zone({(NAME, "SRV"): ["10 0 8443 dav.example.org."], (NAME, "TXT"): ['"path=/dav/"']})
    with pytest.raises(ProviderError, match="could not be found"):
        find_home(session, "https://example.org/", lambda domain: srv.lookup(domain, zone))
    assert ("dav.example.org", 8443) in asked  # after the domain itself, the SRV target
    assert asked[0] == ("example.org", 443)
    assert zone.asked[0] == (NAME, "SRV")


def test_an_srv_record_pointing_at_a_private_address_is_refused() -> None:
    asked: list[tuple[str, int]] = []
    session = Session("ada", "pw", resolver=_resolver({"dav.example.org": ["10.0.0.5"]}, asked))
    zone = Zone({(NAME, "SRV"): ["10 0 443 dav.example.org."]})
    with pytest.raises(ProviderError, match=r"refused: 'dav\.example\.org'"):
        find_home(session, "https://example.org/", lambda domain: srv.lookup(domain, zone))
