"""An httpx client whose every connection is guarded: the host is resolved once, every address it
resolves to is judged by the address policy, and the socket connects to an address that was
judged — never to a second lookup's answer (DNS rebinding). Host header and TLS server name stay
the name. Every socket operation is clipped to one overall deadline, so a server that drips a byte
at a time (in the headers as much as in the body) cannot hold the call past it.

httpx takes no network backend of its own, so the transport swaps the connection pool it built for
one built on the guarded backend (httpx's own `handle_request` is kept).
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from domain.guards import addresses

Resolver = Callable[[str, int], list[str]]
AddressPolicy = Callable[[str], bool]  # may this address be connected to?

# getaddrinfo has no timeout of its own: it runs here, and the caller waits at most its deadline.
_LOOKUPS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="netgoals-dns")


class OutboundError(RuntimeError):
    """The call was not made or not finished; the message says why, for people."""


class AddressRefusedError(OutboundError):
    pass


class HostNotFoundError(OutboundError):
    pass


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else "not a valid name"
        raise HostNotFoundError(f"the host {host!r} could not be found ({reason})") from None
    found: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in found:
            found.append(address)  # the resolver's order: it knows which family works here
    return found


class Deadline:
    """One point in time after which no socket operation of the call may wait."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        return self.at - time.monotonic()

    def clip(self, timeout: float | None, expired: type[Exception]) -> float:
        left = self.left()
        if left <= 0:
            raise expired(f"over the overall deadline of {self.seconds:g} seconds")
        return left if timeout is None else min(timeout, left)


@dataclass(frozen=True, slots=True)
class Guard:
    """Which addresses a call may reach, and how names are looked up."""

    allow_private: bool = False
    resolver: Resolver = system_resolver
    policy: AddressPolicy | None = None  # None: `domain.guards.addresses.is_public_address`

    def addresses(self, host: str, port: int, deadline: Deadline) -> list[str]:
        """Every address of `host`, each allowed — or AddressRefusedError without naming any of them
        (the error must not tell what an internal name resolves to)."""
        literal = addresses.literal_address(host)  # `127.1`, `0x7f.1`, `127.0.0.1.`: no lookup
        if literal is not None:
            found = [literal]
        else:
            future = _LOOKUPS.submit(self.resolver, host, port)
            try:
                found = future.result(timeout=max(deadline.clip(None, httpcore.ConnectTimeout), 0.0))
            except FutureTimeout:
                took = f"{deadline.seconds:g} seconds"
                raise OutboundError(f"the host {host!r} was not found within {took}") from None
        if not found:
            raise HostNotFoundError(f"the host {host!r} could not be found")
        if not self.allow_private:
            allowed = self.policy or addresses.is_public_address
            if not all(allowed(address) for address in found):
                raise AddressRefusedError(f"refused: {host!r}: the address is private")
        return found


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.clip(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.clip(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        clipped = self._deadline.clip(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, clipped), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, guard: Guard, deadline: Deadline) -> None:
        self._guard = guard
        self._deadline = deadline
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        failure: Exception | None = None
        for address in self._guard.addresses(host, port, self._deadline):
            clipped = self._deadline.clip(timeout, httpcore.ConnectTimeout)
            try:
                stream = self._inner.connect_tcp(address, port, clipped, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # the next checked address, if there is one
                continue
            return _Stream(stream, self._deadline)
        assert failure is not None
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise AddressRefusedError("refused: not a network address")

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, max(self._deadline.left(), 0.0)))


class _Transport(httpx.HTTPTransport):
    """httpx's transport (its request and response mapping) over a pool on the guarded backend.
    HTTPTransport's own __init__ would only build a pool of its own, and an SSL context with it."""

    def __init__(self, backend: _Backend, ssl_context: ssl.SSLContext | None = None) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False), network_backend=backend
        )


@contextmanager
def guarded_client(
    guard: Guard, seconds: float, ssl_context: ssl.SSLContext | None = None
) -> Iterator[httpx.Client]:
    """A client for one outbound call (redirects included): one deadline of `seconds` from now for
    everything it does, every connection guarded, no proxy from the environment, no redirects
    followed (a caller that follows them does it hop by hop, each hop guarded the same way).
    `ssl_context`: how TLS is verified, when not with the usual CAs alone."""
    deadline = Deadline(seconds)
    transport = _Transport(_Backend(guard, deadline), ssl_context)
    with httpx.Client(
        transport=transport, timeout=httpx.Timeout(seconds), follow_redirects=False, trust_env=False
    ) as client:
        yield client
