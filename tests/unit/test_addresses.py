"""The one address rule (domain/guards/addresses.py), on addresses as a resolver returns them: the public
ones pass — IPv6 forms carrying a public IPv4 address included, so an IPv6-only host behind NAT64
still reaches public webhooks — and every special range is refused. The literal forms in URLs are
run against the fetcher and the sender in tests/outbound/test_address_policy.py."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.guards.addresses import is_public_address, literal_address


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"],
)
def test_public_addresses_pass(address: str) -> None:
    assert is_public_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "100.127.255.254", "0.0.0.0", "0.1.2.3", "192.0.0.8", "198.18.0.1", "224.0.0.1",
        "240.0.0.1", "255.255.255.255", "::", "::1", "::127.0.0.1", "::8.8.8.8", "::ffff:127.0.0.1",
        "::ffff:10.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::808:808",
        "2002:7f00:1::1", "2002:a00:1::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "fe80::1",
        "fe80::1%eth0", "fec0::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1", "100::1",
        "not an address",
    ],
)  # fmt: skip
def test_special_addresses_are_refused(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:7f00:1", "::ffff:7f00:1"),
        ("example.com", None),
        ("localhost", None),
    ],
)
def test_hosts_written_as_addresses_are_read_as_the_resolver_does(host: str, address: str | None) -> None:
    assert literal_address(host) == address


@given(st.ip_addresses(v=4))
def test_an_ipv4_address_carried_in_ipv6_is_judged_as_itself(ip: ipaddress.IPv4Address) -> None:
    # IPv4-mapped, NAT64 (64:ff9b::/96) and 6to4 (2002::/16) all reach the IPv4 address they carry.
    carried = [
        ipaddress.IPv6Address(f"::ffff:{ip}"),
        ipaddress.IPv6Address((0x0064FF9B << 96) | int(ip)),
        ipaddress.IPv6Address((0x2002 << 112) | (int(ip) << 80) | 1),
    ]
    assert {is_public_address(str(form)) for form in carried} == {is_public_address(str(ip))}
    assert not is_public_address(str(ipaddress.IPv6Address(int(ip))))  # IPv4-compatible: never
