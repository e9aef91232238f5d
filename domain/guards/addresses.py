"""Which network addresses a server may send a person's data to on their behalf — the one rule for
every outbound call (webhooks, calendar sources).

A webhook URL (or a calendar source) names a host the server will connect to; left unchecked,
anyone could make the server reach its own loopback, the private network behind it or the cloud's
metadata service (server-side request forgery). Pure: the caller resolves the name and asks here,
then connects to the very address it asked about (integrations/outbound).

IPv6 forms that carry an IPv4 address (IPv4-mapped, NAT64, 6to4) are judged by that IPv4 address;
forms whose IPv4 part cannot be judged or that no public host uses (IPv4-compatible, local-use
NAT64, Teredo, site-local) are refused outright. Python's own `is_global` tables differ between
releases on some of these, so the ranges are named here.
"""

from __future__ import annotations

import ipaddress
import socket

_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits are the IPv4 address
_SIXTOFOUR = ipaddress.ip_network("2002::/16")  # RFC 3056: bits 16-48 are the IPv4 address
_REFUSED_V6 = tuple(
    ipaddress.ip_network(n)
    for n in (
        "::/96",  # IPv4-compatible (deprecated): ::127.0.0.1
        "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215): translates into private space
        "2001::/32",  # Teredo: the client address is obfuscated, the relay is anyone's
        "fec0::/10",  # site-local (deprecated)
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "100::/64",  # discard-only
        "2001:db8::/32",  # documentation
    )
)
_REFUSED_V4 = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network": 0.0.0.0 reaches the local host on Linux
        "100.64.0.0/10",  # carrier-grade NAT, shared address space
        "192.0.0.0/24",  # IETF protocol assignments
        "198.18.0.0/15",  # benchmarking
    )
)


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address; False for loopback, private, link-local,
    multicast, reserved, unspecified and the special forms above. A scope (`fe80::1%eth0`) is
    dropped first; anything that does not parse is not public."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return _public_v4(embedded)
        if any(ip in network for network in _REFUSED_V6):
            return False
        return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_site_local)
    return _public_v4(ip)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _SIXTOFOUR:
        return ip.sixtofour
    return None


def _public_v4(ip: ipaddress.IPv4Address) -> bool:
    if any(ip in network for network in _REFUSED_V4):
        return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved)


def literal_address(host: str) -> str | None:
    """The address a host written as an address stands for, or None for a name: `[::1]`, `::1`,
    `127.0.0.1`, `127.0.0.1.` and the old IPv4 forms the C resolver still reads (`2130706433`,
    `0x7f.1`, `0177.0.0.1`) — so a URL can be judged before any lookup."""
    host = host.strip().strip("[]").rstrip(".")
    try:
        return str(ipaddress.ip_address(host.split("%", 1)[0]))
    except ValueError:
        pass
    try:
        return socket.inet_ntoa(socket.inet_aton(host))  # inet_aton: pure parsing, no lookup
    except (OSError, UnicodeError, ValueError):
        return None
