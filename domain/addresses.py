"""Which network addresses a server may send a person's data to on their behalf.

A webhook URL (or a calendar source) names a host the server will connect to; left unchecked,
anyone could make the server reach its own loopback, the private network behind it or the cloud's
metadata service (server-side request forgery). Pure: the caller resolves the name and asks here.
"""

from __future__ import annotations

import ipaddress


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address; False for loopback, private, link-local,
    multicast, reserved and unspecified ones (IPv4-mapped IPv6 addresses are judged as IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast
