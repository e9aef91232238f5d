"""Calendars a user subscribes netgoals to, as sources of attended events: add (an address, or a
file uploaded once), list with their state, remove. Reading them is `service.ical.source_sync`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

from domain.errors import DomainError, NotFoundError
from domain.guards.addresses import is_public_address, literal_address
from integrations.ical.fetch import FetchError, normalize_url
from integrations.outbound.guard import OutboundError, system_resolver
from integrations.storage import ical_store as store
from integrations.storage.database import read_transaction, write_transaction
from service.app import App
from service.ical.context import vault_of
from service.settings import Settings


@dataclass(frozen=True, slots=True)
class SourceView:
    """A source as people see it: never its full address (it may be a secret link)."""

    source_id: str
    kind: str
    display: str
    trust_all: bool
    emails: tuple[str, ...]
    interval_seconds: int
    next_due_at: float | None
    last_fetched_at: str | None
    last_status: str
    last_error: str | None
    events_seen: int
    actions_derived: int
    created_at: str
    unread: int = 0  # what the last read could not read (left out, the rest read)
    unread_notes: tuple[str, ...] = ()


def view_of(record: store.SourceRecord) -> SourceView:
    return SourceView(
        record.source_id,
        record.kind,
        record.display,
        record.trust_all,
        record.emails,
        record.interval_seconds,
        record.next_due_at,
        record.last_fetched_at,
        record.last_status,
        record.last_error,
        record.events_seen,
        record.actions_derived,
        record.created_at,
        record.unread,
        record.unread_notes,
    )


def _display(url: str) -> str:
    parts = urlsplit(url)
    last = parts.path.rstrip("/").rpartition("/")[2]
    hint = f"…/{last}" if len(last) <= 40 else "…"
    return f"{parts.hostname}{hint if parts.path.strip('/') else ''}"[:300]


def _emails(app: App, user_id: str, emails: list[str] | None) -> tuple[str, ...]:
    if emails:
        cleaned = tuple(sorted({e.strip().lower() for e in emails if e.strip()}))
        if any("@" not in e for e in cleaned):
            raise DomainError("an email address needs an @")
        return cleaned
    handle = app.profile(user_id).handle
    return (handle.lower(),) if "@" in handle else ()


def reaches_private_address(url: str) -> bool:
    """Whether a calendar address resolves (now) to a loopback, private or link-local address."""
    try:
        parts = urlsplit(normalize_url(url))
        addresses = system_resolver(parts.hostname or "", parts.port or 443)
    except (FetchError, OutboundError, ValueError):
        return False  # the reader says what is wrong with it when it reads it
    return any(not is_public_address(a) for a in addresses)


def add_source(
    app: App,
    settings: Settings,
    user_id: str,
    url: str,
    *,
    trust_all: bool = False,
    emails: list[str] | None = None,
) -> SourceView:
    """Register a calendar address (https, http or webcal); it is due for reading at once."""
    if len(url) > 4000:
        raise DomainError("the calendar address is over 4000 characters")
    try:
        normalized = normalize_url(url)
    except FetchError as exc:
        raise DomainError(str(exc)) from None
    _refuse_private_literal(settings, normalized)
    now = app.now()
    source_id = str(uuid4())
    values: dict[str, Any] = {
        "source_id": source_id,
        "user_id": user_id,
        "kind": "url",
        # Re-adding the same address derives the same ids: nothing it already counted counts twice.
        "identity": hashlib.sha256(f"{user_id}\n{normalized}".encode()).hexdigest(),
        "url_sealed": vault_of(settings).seal({"url": normalized}),
        "display": _display(normalized),
        "trust_all": trust_all,
        "emails": _emails(app, user_id, emails),
        "interval_seconds": settings.source_interval,
        "next_due_at": now.timestamp(),
        "created_at": now.isoformat(),
    }
    with write_transaction(app.engine) as connection:
        store.add_source(connection, values)
        record = store.source(connection, source_id)
    assert record is not None
    return view_of(record)


def _refuse_private_literal(settings: Settings, url: str) -> None:
    """An address written as a private one is refused when it is added, not at its first read;
    names are judged at every read, on the address connected to (integrations/outbound)."""
    host = urlsplit(url).hostname or ""
    literal = literal_address(host)
    if not settings.allow_private_sources and literal is not None and not is_public_address(literal):
        raise DomainError(
            f"refused: {host!r}: the address is private (set NETGOALS_ALLOW_PRIVATE_SOURCES=1 to allow it)"
        )


def add_file_source(
    app: App,
    user_id: str,
    name: str,
    body: bytes,
    *,
    trust_all: bool = False,
    emails: list[str] | None = None,
) -> SourceView:
    """Register an uploaded file: read once, never polled (see `source_sync.read_file_source`)."""
    now = app.now()
    source_id = str(uuid4())
    values: dict[str, Any] = {
        "source_id": source_id,
        "user_id": user_id,
        "kind": "file",
        "identity": hashlib.sha256(b"file\n" + user_id.encode() + b"\n" + body).hexdigest(),
        "url_sealed": None,
        "display": (name or "upload.ics")[:300],
        "trust_all": trust_all,
        "emails": _emails(app, user_id, emails),
        "interval_seconds": 0,
        "next_due_at": None,
        "created_at": now.isoformat(),
    }
    with write_transaction(app.engine) as connection:
        store.add_source(connection, values)
        record = store.source(connection, source_id)
    assert record is not None
    return view_of(record)


def list_sources(app: App, user_id: str) -> list[SourceView]:
    with read_transaction(app.engine) as connection:
        return [view_of(r) for r in store.sources_of(connection, user_id)]


def get_source(app: App, user_id: str, source_id: str) -> SourceView:
    with read_transaction(app.engine) as connection:
        record = store.source(connection, source_id)
    if record is None or record.user_id != user_id:
        raise NotFoundError(f"no source {source_id!r}")
    return view_of(record)


def remove_source(app: App, user_id: str, source_id: str) -> None:
    """Stop reading a source; what it already counted stays in the log (history is history)."""
    with write_transaction(app.engine) as connection:
        if not store.remove_source(connection, user_id, source_id):
            raise NotFoundError(f"no source {source_id!r}")


def source_url(settings: Settings, record: store.SourceRecord) -> str | None:
    if record.url_sealed is None:
        return None
    url: str = vault_of(settings).open_sealed(record.url_sealed)["url"]
    return url
