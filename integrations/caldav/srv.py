"""RFC 6764 §3: where a domain's CalDAV service is, from DNS: the `_caldavs._tcp` SRV record (host
and port, over TLS) and, in its TXT record, `path=` (the context path; RFC 6764 §4).

Only a name and a port come from DNS: the request to them goes through the guarded session like
any other, so the address policy refuses a record that points inside the network."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import dns.exception
import dns.name
import dns.resolver

LIFETIME_SECONDS = 5.0  # each query: a domain without records must not hold up a connect


@dataclass(frozen=True, slots=True)
class Service:
    host: str
    port: int
    path: str  # "/" where no TXT record names one: the well-known path is tried there

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}{self.path}"


class DnsResolver(Protocol):
    """What is used of `dns.resolver.Resolver` (a test passes its own)."""

    def resolve(self, qname: str, rdtype: str, *, lifetime: float | None = None) -> Iterable[Any]: ...


SrvLookup = Callable[[str], "Service | None"]


def lookup(domain: str, resolver: DnsResolver | None = None) -> Service | None:
    """The CalDAV service `domain` names in DNS, or None where it names none (or DNS fails)."""
    resolver = resolver or dns.resolver.Resolver()
    name = f"_caldavs._tcp.{domain.rstrip('.')}"
    try:
        records = list(resolver.resolve(name, "SRV", lifetime=LIFETIME_SECONDS))
    except dns.exception.DNSException:
        return None
    # Lowest priority first, then the heaviest (RFC 2782); a target of "." says there is no service.
    records.sort(key=lambda r: (r.priority, -r.weight))
    usable = [r for r in records if r.target != dns.name.root]
    if not usable:
        return None
    first = usable[0]
    return Service(first.target.to_text(omit_final_dot=True), int(first.port), _path(resolver, name))


def _path(resolver: DnsResolver, name: str) -> str:
    try:
        records = list(resolver.resolve(name, "TXT", lifetime=LIFETIME_SECONDS))
    except dns.exception.DNSException:
        return "/"
    for record in records:
        for part in record.strings:
            text = bytes(part).decode("ascii", "replace")
            path = text.removeprefix("path=")
            if path != text and path.startswith("/"):
                return path
    return "/"
