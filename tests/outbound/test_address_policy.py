"""One address rule for every outbound call: each literal form of a non-public address is refused
by the calendar fetcher, by the webhook check when a webhook is configured and by the webhook
sender at send time — and, where the form points at loopback, the real server listening there
gets nothing. Then DNS rebinding: a name that answers one address to the check and another to a
second lookup is connected to at the address that was checked."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from domain.guards import addresses
from integrations.ical.fetch import Fetcher, FetchError
from integrations.webhooks import sender
from tests.outbound.hostile import Hostile, flood, hostile_server

# Forms of loopback: with the port of the listening server, a miss would reach it.
LOOPBACK = [
    "127.0.0.1",
    "127.0.0.1.",  # trailing dot
    "127.1",
    "2130706433",  # decimal
    "0x7f.0.0.1",  # hex
    "0177.0.0.1",  # octal
    "localhost",
    "localhost.",
    "[::ffff:127.0.0.1]",  # IPv4-mapped
    "[::127.0.0.1]",  # IPv4-compatible
    "[64:ff9b::7f00:1]",  # NAT64, well-known prefix
    "[2002:7f00:1::1]",  # 6to4 of 127.0.0.1
    "[::1]",
    "0.0.0.0",  # reaches the local host on Linux
]
# Other non-public space: nothing listens there, the refusal must come before any connect.
ELSEWHERE = [
    "10.0.0.8",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "[64:ff9b::a00:8]",  # NAT64 of 10.0.0.8
    "[64:ff9b:1::808:808]",  # local-use NAT64
    "[2002:a00:8::1]",  # 6to4 of 10.0.0.8
    "[2001:0:4136:e378:8000:63bf:3fff:fdd2]",  # Teredo
    "[fe80::1]",  # link-local
    "[fd00::1]",  # unique local
    "[fec0::1]",  # site-local
    "224.0.0.1",  # multicast
    "255.255.255.255",
]


@pytest.fixture(scope="module")
def loopback() -> Iterator[Hostile]:
    with hostile_server(flood(0)) as server:
        yield server


def _refused(text: str | None) -> bool:
    """Refused by the policy, or never a valid address in the first place (httpx refuses the
    octal form `0177.0.0.1` as a URL; nothing resolves `localhost.` here)."""
    return text is not None and (
        text.startswith("refused:") or "could not be found" in text or "not a valid" in text
    )


def _url(host: str, server: Hostile, path: str) -> str:
    return f"http://{host}:{server.port}{path}"


def _fetch_error(url: str) -> str:
    with pytest.raises(FetchError) as refused:
        Fetcher(timeout=3).fetch(url)
    return str(refused.value)


@pytest.mark.parametrize("host", LOOPBACK + ELSEWHERE)
def test_the_fetcher_refuses_every_form(host: str, loopback: Hostile) -> None:
    before = len(loopback.requests)
    error = _fetch_error(_url(host, loopback, "/cal.ics"))
    assert _refused(error), error
    assert len(loopback.requests) == before


@pytest.mark.parametrize("host", LOOPBACK + ELSEWHERE)
def test_the_webhook_sender_refuses_every_form(host: str, loopback: Hostile) -> None:
    before = len(loopback.requests)
    url = _url(host, loopback, "/hook")
    configured = sender.check_target(url, allow_private=False)
    assert _refused(configured), configured
    outcome = sender.post(url, b"{}", "s", timestamp=1, delivery_id="d", allow_private=False, timeout=3)
    assert not outcome.delivered and _refused(outcome.detail), outcome.detail
    assert len(loopback.requests) == before


@pytest.mark.parametrize("host", LOOPBACK + ELSEWHERE)
def test_both_callers_give_the_same_answer(host: str, loopback: Hostile) -> None:
    url = _url(host, loopback, "/x")
    fetched = _fetch_error(url).split(":")[0]
    configured = (sender.check_target(url, allow_private=False) or "").split(":")[0]
    assert fetched == configured == "refused" or not {fetched, configured} & {"refused"}


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Hostile, Hostile, list[str]]]:
    """`rebind.test` answers 127.0.0.1 to its first lookup and 127.0.0.2 to every later one. The
    policy is narrowed so that 127.0.0.1 stands in for a public address and 127.0.0.2 for a
    private one; a server listens on each, on the same port."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        answer = "127.0.0.1" if not lookups else "127.0.0.2"
        lookups.append(answer)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(addresses, "is_public_address", lambda address: address == "127.0.0.1")
    with (
        hostile_server(flood(0), host="127.0.0.2") as private,
        hostile_server(flood(0), host="127.0.0.1", port=private.port) as public,
    ):
        yield public, private, lookups


def test_a_fetch_connects_to_the_address_it_checked(rebinding: tuple[Hostile, Hostile, list[str]]) -> None:
    public, private, lookups = rebinding
    Fetcher(timeout=3).fetch(public.url("/cal.ics", host="rebind.test"))
    assert len(public.requests) == 1 and private.requests == []
    assert f"host: rebind.test:{public.port}".encode() in public.requests[0].lower()
    assert lookups == ["127.0.0.1"]  # one lookup: the one that was checked


def test_a_webhook_connects_to_the_address_it_checked(rebinding: tuple[Hostile, Hostile, list[str]]) -> None:
    public, private, lookups = rebinding
    url = public.url("/hook", host="rebind.test")
    outcome = sender.post(url, b"{}", "s", timestamp=1, delivery_id="d", allow_private=False, timeout=3)
    assert outcome.delivered, outcome.detail
    assert len(public.requests) == 1 and private.requests == []
    assert lookups == ["127.0.0.1"]
