"""Fetching a calendar someone subscribed to: a conditional GET (ETag, Last-Modified), streamed
with a size cap, an overall deadline and a redirect limit, and refusing any address that resolves
to loopback, private, link-local or otherwise non-public space — for every redirect hop too —
unless private sources are allowed (tests, self-hosters).

The address check resolves the host once per hop before connecting. A DNS answer that changes
between the check and httpx's own lookup (rebinding) is not covered; the deployment's egress
rules are the second fence.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin, urlsplit

import httpx

MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT_SECONDS = 20.0
USER_AGENT = "netgoals-calendar-reader/1 (+https://netgoals.invalid)"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
Resolver = Callable[[str, int], list[str]]
AddressPolicy = Callable[[str], bool]  # is this address allowed?


class FetchError(RuntimeError):
    """The calendar could not be fetched; the message says why, for people."""


@dataclass(frozen=True, slots=True)
class Fetched:
    not_modified: bool
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str | None
    charset: str | None
    url: str


def normalize_url(url: str) -> str:
    """webcal:// is http(s) by another name; only http and https are fetched."""
    url = url.strip()
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme in ("webcal", "webcals"):
        url = f"https://{rest}"
    elif scheme not in ("http", "https") or not rest:
        raise FetchError(f"not a calendar address: {url!r} (use https://, http:// or webcal://)")
    parts = urlsplit(url)
    if not parts.hostname:
        raise FetchError(f"the address {url!r} has no host")
    return url


def public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved)


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"the host {host!r} could not be found ({exc.strerror})") from None
    return sorted({str(info[4][0]) for info in infos})


@dataclass
class Fetcher:
    allow_private: bool = False
    max_bytes: int = MAX_BYTES
    max_redirects: int = MAX_REDIRECTS
    timeout: float = TIMEOUT_SECONDS
    resolver: Resolver = system_resolver
    policy: AddressPolicy = public_address

    def check(self, url: str) -> None:
        """Refuse an address whose host resolves to anything but public addresses."""
        if self.allow_private:
            return
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = self.resolver(host, port)
        if not addresses:
            raise FetchError(f"the host {host!r} could not be found")
        for address in addresses:
            if not self.policy(address):
                raise FetchError(
                    f"refused: {host!r} resolves to {address}, a loopback, private or link-local "
                    "address (set NETGOALS_ALLOW_PRIVATE_SOURCES=1 to allow it)"
                )

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        url = normalize_url(url)
        deadline = time.monotonic() + self.timeout
        headers = {"Accept": "text/calendar, */*;q=0.5", "User-Agent": USER_AGENT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        timeout = httpx.Timeout(self.timeout)
        try:
            with httpx.Client(follow_redirects=False, timeout=timeout, trust_env=False) as client:
                for _hop in range(self.max_redirects + 1):
                    self.check(url)
                    with client.stream("GET", url, headers=headers) as response:
                        if response.status_code in _REDIRECTS:
                            location = response.headers.get("location")
                            if not location:
                                raise FetchError(f"HTTP {response.status_code} without a Location")
                            url = normalize_url(urljoin(url, location))
                            continue
                        return self._answer(response, url, deadline)
        except httpx.TimeoutException:
            raise FetchError(f"the server did not answer within {self.timeout:g} seconds") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"the calendar could not be fetched: {exc.__class__.__name__}: {exc}") from None
        raise FetchError(f"more than {self.max_redirects} redirects (a redirect loop?)")

    def _answer(self, response: httpx.Response, url: str, deadline: float) -> Fetched:
        content_type = response.headers.get("content-type")
        etag = response.headers.get("etag")
        modified = response.headers.get("last-modified")
        if response.status_code == 304:
            return Fetched(True, b"", etag, modified, content_type, None, url)
        if response.status_code != 200:
            raise FetchError(f"the server answered HTTP {response.status_code} {response.reason_phrase}")
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"the calendar is {int(declared):,} bytes, over the {self.max_bytes:,} limit")
        chunks: list[bytes] = []
        size = 0
        # Decoded bytes are counted, so a small gzip body cannot unpack past the limit either.
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"the calendar is over the {self.max_bytes:,}-byte limit")
            if time.monotonic() > deadline:
                raise FetchError(f"the download took longer than {self.timeout:g} seconds")
            chunks.append(chunk)
        body = b"".join(chunks)
        return Fetched(False, body, etag, modified, content_type, _charset(content_type), url)


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return str(charset) if isinstance(charset, str) else None
