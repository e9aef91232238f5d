"""One CalDAV account's HTTP: every request through the guarded client of `integrations.outbound`
(one deadline per request, the address policy on every hop, a cap on what is read), redirects
followed hop by hop (iCloud sends a principal to its partition host), Basic auth first and Digest
when the server only offers that (Baïkal's default), and errors mapped to the port's.

The password never leaves this object: not in a message, a log line or a repr.
"""

from __future__ import annotations

import email.utils
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from domain.calendars.calendar_port import ProviderError, RateLimitedError, ReconnectNeededError
from integrations.outbound.body import TooLargeError, read_capped
from integrations.outbound.guard import (
    AddressPolicy,
    Guard,
    OutboundError,
    Resolver,
    guarded_client,
    system_resolver,
)

MAX_BYTES = 20 * 1024 * 1024
TIMEOUT_SECONDS = 30.0
MAX_REDIRECTS = 5
USER_AGENT = "netgoals-caldav/1 (+https://netgoals.invalid)"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str  # where it was answered (after redirects)


@dataclass
class Session:
    username: str
    password: str = field(repr=False)
    allow_private: bool = False
    timeout: float = TIMEOUT_SECONDS
    max_bytes: int = MAX_BYTES
    resolver: Resolver = system_resolver
    policy: AddressPolicy | None = None
    digest: bool = False  # the server asked for Digest: use it from now on
    ca_bundle: str | None = None  # a PEM file of CAs trusted besides the usual ones (a private CA)
    # Run before every request (the caller ends its database read: no transaction is held open
    # while the server answers).
    before_call: Callable[[], None] | None = field(default=None, repr=False)

    def request(
        self,
        method: str,
        url: str,
        body: bytes | str = b"",
        headers: Mapping[str, str] | None = None,
        *,
        depth: str | None = None,
    ) -> Answer:
        """Send one request; follow redirects (keeping the method, as WebDAV clients must)."""
        sent = dict(headers or {})
        sent.setdefault("User-Agent", USER_AGENT)
        if depth is not None:
            sent["Depth"] = depth
        data = body.encode() if isinstance(body, str) else body
        if data and "Content-Type" not in sent:
            sent["Content-Type"] = "application/xml; charset=utf-8"
        for _hop in range(MAX_REDIRECTS + 1):
            answer = self._once(method, url, data, sent)
            if answer.status in _REDIRECTS and "location" in answer.headers:
                url = check_url(urljoin(url, answer.headers["location"]))
                continue
            if answer.status == 401 and not self.digest and _offers_only_digest(answer.headers):
                self.digest = True
                answer = self._once(method, url, data, sent)
            _raise_for(answer)
            return answer
        raise ProviderError(f"more than {MAX_REDIRECTS} redirects from the CalDAV server")

    def _once(self, method: str, url: str, data: bytes, headers: Mapping[str, str]) -> Answer:
        if self.before_call is not None:
            self.before_call()
        guard = Guard(self.allow_private, self.resolver, self.policy)
        auth: httpx.Auth = (
            httpx.DigestAuth(self.username, self.password)
            if self.digest
            else httpx.BasicAuth(self.username, self.password)
        )
        context = _ssl_context(self.ca_bundle)
        try:
            with guarded_client(guard, self.timeout, context) as client:
                request = client.build_request(method, url, content=data or None, headers=headers)
                response = client.send(request, auth=auth, stream=True)
                try:
                    body = read_capped(response, self.max_bytes)
                finally:
                    response.close()
        except TooLargeError:
            raise ProviderError(f"the CalDAV server answered more than {self.max_bytes:,} bytes") from None
        except httpx.TimeoutException:
            raise ProviderError(f"the CalDAV server did not answer within {self.timeout:g} seconds") from None
        except OutboundError as exc:
            raise ProviderError(str(exc)) from None
        except (httpx.HTTPError, httpx.InvalidURL, UnicodeError) as exc:
            raise ProviderError(f"the CalDAV server could not be reached: {exc.__class__.__name__}") from None
        return Answer(response.status_code, dict(response.headers), body, url)


def _ssl_context(ca_bundle: str | None) -> ssl.SSLContext | None:
    """The usual CAs and the bundle's: a university's server signed by its own CA is verified,
    never accepted unverified."""
    if ca_bundle is None:
        return None
    context = httpx.create_ssl_context(trust_env=False)
    try:
        context.load_verify_locations(cafile=ca_bundle)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError: not PEM, or no certificate
        raise ProviderError(f"the CalDAV CA bundle {ca_bundle!r} could not be read: {exc}") from None
    return context


def _offers_only_digest(headers: Mapping[str, str]) -> bool:
    offered = headers.get("www-authenticate", "").lower()
    return "digest" in offered and "basic" not in offered


# Statuses a caller handles itself (conflicts, sync-token trouble, missing resources).
_PASSED = frozenset({200, 201, 204, 207, 301, 302, 303, 307, 308, 403, 404, 405, 409, 412, 415, 501})


def _raise_for(answer: Answer) -> None:
    if answer.status in _PASSED:
        return
    if answer.status == 401:
        raise ReconnectNeededError(
            "the CalDAV server refused the user name or password (an app password may be needed)"
        )
    if answer.status in (429, 503):
        raise RateLimitedError(
            f"the CalDAV server is busy (HTTP {answer.status})",
            retry_after(answer.headers.get("retry-after")),
        )
    raise ProviderError(f"the CalDAV server answered HTTP {answer.status}")


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After in seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def check_url(url: str) -> str:
    """Only http(s) URLs with a host httpx can send to; anything else is a clear error naming it."""
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
        if valid:
            httpx.URL(url).copy_with()  # the host must encode (IDNA), the port must be a number
    except (ValueError, UnicodeError, httpx.InvalidURL):
        valid = False
    if not valid:
        raise ProviderError(f"not a CalDAV address: {url!r} (use https://…)")
    return url
