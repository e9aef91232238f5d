"""Fetching a calendar someone subscribed to: a conditional GET (ETag, Last-Modified), streamed
with a size cap on the decoded body, one overall deadline over every hop, connect, header and byte,
and a redirect limit — through the guarded client of `integrations.outbound`, which connects only
to addresses the policy allows (loopback, private, link-local and the rest are refused unless
private sources are allowed: tests, self-hosters), for every redirect hop too, and to the very
address it checked (no DNS rebinding).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin, urlsplit

import httpx

from integrations.outbound.body import ACCEPT_ENCODING, TooLargeError, read_capped
from integrations.outbound.guard import (
    AddressPolicy,
    Guard,
    OutboundError,
    Resolver,
    guarded_client,
    system_resolver,
)

MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT_SECONDS = 20.0
USER_AGENT = "netgoals-calendar-reader/1 (+https://netgoals.invalid)"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


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
    try:
        httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchError(f"not a valid address: {url!r} ({exc})") from None
    return url


@dataclass
class Fetcher:
    allow_private: bool = False
    max_bytes: int = MAX_BYTES
    max_redirects: int = MAX_REDIRECTS
    timeout: float = TIMEOUT_SECONDS
    resolver: Resolver = system_resolver
    policy: AddressPolicy | None = None  # None: domain.guards.addresses.is_public_address

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        url = normalize_url(url)
        headers = {
            "Accept": "text/calendar, */*;q=0.5",
            "Accept-Encoding": ACCEPT_ENCODING,
            "User-Agent": USER_AGENT,
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        guard = Guard(self.allow_private, self.resolver, self.policy)
        try:
            with guarded_client(guard, self.timeout) as client:
                for _hop in range(self.max_redirects + 1):
                    with client.stream("GET", url, headers=headers) as response:
                        if response.status_code in _REDIRECTS:
                            location = response.headers.get("location")
                            if not location:
                                raise FetchError(f"HTTP {response.status_code} without a Location")
                            url = normalize_url(urljoin(url, location))
                            continue
                        return self._answer(response, url)
        except httpx.TimeoutException:
            raise FetchError(f"the server did not answer within {self.timeout:g} seconds") from None
        except OutboundError as exc:
            raise FetchError(_with_hint(str(exc))) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"the calendar could not be fetched: {exc.__class__.__name__}: {exc}") from None
        raise FetchError(f"more than {self.max_redirects} redirects (a redirect loop?)")

    def _answer(self, response: httpx.Response, url: str) -> Fetched:
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
        try:
            body = read_capped(response, self.max_bytes)
        except TooLargeError:
            raise FetchError(f"the calendar is over the {self.max_bytes:,}-byte limit") from None
        return Fetched(False, body, etag, modified, content_type, _charset(content_type), url)


def _with_hint(message: str) -> str:
    if message.startswith("refused"):
        return f"{message} (set NETGOALS_ALLOW_PRIVATE_SOURCES=1 to allow it)"
    return message


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return str(charset) if isinstance(charset, str) else None
