"""The `caldav` package's DAVClient over netgoals' guarded session.

DAVClient sends every request through `self.session.request(method, url, data=..., headers=...,
...)` (a `requests.Session` of its own) and reads the answer's status_code, reason, headers and
content. Here that session is replaced by `GuardedTransport`, which sends through
`integrations.caldav.session.Session`: the address policy on every hop, one deadline, a size cap,
redirects hop by hop, Basic then Digest auth, and 401/429/503 raised as the port's errors. The
library's own proxy, TLS and auth arguments are dropped unread.

The client is made without a user name or password, so the library never builds an auth object,
never retries with credentials and never has one to log (its debug log prints request headers:
Authorization is added below it, by the session). caldav 1.x has no rate-limit retry of its own,
so a 429 or 503 reaches the caller at once as RateLimitedError rather than a sleep in a worker.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from caldav import DAVClient
from caldav.lib import error as dav_error
from lxml import etree
from requests.structures import CaseInsensitiveDict

from domain.calendars.calendar_port import ProviderError
from integrations.caldav.session import USER_AGENT, Answer, Session

_STATUS = re.compile(r"(?:HTTP/\S+\s+)?([1-5]\d\d)\b")


@dataclass(frozen=True, slots=True)
class Reply:
    """What DAVClient and DAVResponse read of a `requests.Response`."""

    answer: Answer

    @property
    def status_code(self) -> int:
        return self.answer.status

    @property
    def reason(self) -> str:
        try:
            return HTTPStatus(self.answer.status).phrase
        except ValueError:
            return ""

    @property
    def headers(self) -> CaseInsensitiveDict[str]:
        return CaseInsensitiveDict(self.answer.headers)

    @property
    def content(self) -> bytes:
        return self.answer.body

    @property
    def text(self) -> str:
        return self.answer.body.decode("utf-8", "replace")

    @property
    def url(self) -> str:
        return self.answer.url


@dataclass(frozen=True, slots=True)
class GuardedTransport:
    """Stands where DAVClient keeps its `requests.Session`."""

    session: Session

    def request(
        self,
        method: str,
        url: str,
        data: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        **_requests_only: Any,  # proxies, auth, timeout, verify, cert: the session decides those
    ) -> Reply:
        return Reply(self.session.request(method, url, data or b"", headers))

    def close(self) -> None:
        """Nothing is kept open: each request has its own guarded client."""


def dav_client(session: Session, url: str) -> DAVClient:
    client = DAVClient(url, headers={"User-Agent": USER_AGENT})
    client.session.close()  # the library's own requests.Session: never used
    client.session = GuardedTransport(session)  # type: ignore[assignment]  # what it reads of one
    return client


@contextmanager
def dav_errors(what: str) -> Iterator[None]:
    """The library's errors (a refused or failed request, an answer it could not parse) as the
    port's ProviderError, naming what was being done. The port's own errors pass unchanged."""
    try:
        yield
    except dav_error.DAVError as exc:
        raise ProviderError(f"the CalDAV server answered HTTP {status_of(exc)} to {what}") from None
    except etree.LxmlError:
        raise ProviderError(f"the CalDAV server answered XML that could not be read ({what})") from None


def status_of(exc: dav_error.DAVError) -> int:
    """The HTTP status behind one of the library's errors: it raises AuthorizationError for a 403
    (a 401 never gets that far: the session raises ReconnectNeededError) and starts the others'
    text with the status (`404 Not Found\n\n<body>`, passed as their first argument, `url`; a
    multistatus item's `HTTP/1.1 403 Forbidden` as `reason`)."""
    if isinstance(exc, dav_error.AuthorizationError):
        return 403
    if isinstance(exc, dav_error.NotFoundError):
        return 404
    for text in (exc.url, exc.reason):
        found = _STATUS.match(str(text or ""))
        if found:
            return int(found[1])
    return 0
