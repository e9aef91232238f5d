"""The calendar port: what a calendar provider (Google, CalDAV, a test fake) does for the use cases.

The use cases plan, pull and credit through this port; the provider only talks to its server.
Everything a provider decides about attendance stays out of it: it reports events as
`domain.calendars.attendance.CalendarEvent` (the person's own reply included) and the rules
above the port (`domain.calendars.attendance`, `domain.calendars.crediting`,
`domain.calendars.confirmation`) decide what they are worth, once, for every provider (invariant 14).

Contract, for every implementation (the provider contract suite checks it):

- `connect` checks the credentials against the server and answers the calendars it found; the
  credentials are sealed by the caller and never logged (invariant 8).
- `changes(calendar_id, state)` answers what changed since `state` (None: everything) and the new
  state to keep; `Changes.full` says the answer is a full listing (a first sync, or a state the
  server no longer accepts), so events missing from it are gone. A provider raises
  `SyncStateInvalidError` only when it cannot fall back by itself. Re-reading everything must
  count nothing twice: that is the crediting's job (ids derived from the occurrence), not the
  provider's.
- `put_block` writes one of netgoals' own blocks under a stable id (`Block.uid`): `version=None`
  creates it only if absent (If-None-Match: *), a version updates it only if unchanged (If-Match).
  A precondition failure is `WriteOutcome.CONFLICT` with the server's current event: the caller
  decides again from it and never overwrites the person's edit (invariant 15).
- `delete_block` removes a block only if unchanged; `GONE` when it is already gone.
- `busy` answers busy intervals (a free-busy query where the server answers one, else from events).
- `freshness` says how the provider keeps current: push channels to renew, or polling at an interval.

Errors are the classes below; their messages are safe to show (no secrets, no addresses that
were refused).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Protocol

from domain.calendars.attendance import CalendarEvent


class ProviderError(RuntimeError):
    """A call to the calendar server failed; the message is safe to show."""


class ReconnectNeededError(ProviderError):
    """The server refused the credentials (401, revoked grant): the person must connect again."""


class RateLimitedError(ProviderError):
    """429 or 503: call again no sooner than `retry_after` seconds from now."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CalendarGoneError(ProviderError):
    """The calendar itself is gone (the person deleted it)."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """What connecting needs. `secret` is a password, an app password or an OAuth token set; the
    caller seals it before it is stored and never prints it."""

    server: str  # a URL, a bare domain, or a provider name (Google)
    username: str = ""
    secret: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class CalendarInfo:
    calendar_id: str  # Google's id, or the calendar collection's URL
    name: str
    writable: bool = True
    events: bool = True  # holds events (not only tasks)


@dataclass(frozen=True, slots=True)
class Connected:
    """What a successful connect found."""

    account: str  # the principal or the Google account, for people
    calendars: tuple[CalendarInfo, ...]
    can_create: bool  # the server lets netgoals create its own calendar (MKCALENDAR)


@dataclass(frozen=True, slots=True)
class Changes:
    """What changed in one calendar since a sync state."""

    events: Sequence[CalendarEvent]  # changed or new (instances expanded); cancelled ones too
    removed: Sequence[str]  # event ids that are gone (they count nothing any more)
    state: str | None  # the new sync state to keep (opaque to the caller)
    full: bool = False  # a full listing: ids not in it are gone
    # Event ids read again in full: an instance of theirs not in `events` is gone (an EXDATE).
    touched: Sequence[str] = ()
    versions: Mapping[str, str] = field(default_factory=dict)  # event id -> ETag, for If-Match


@dataclass(frozen=True, slots=True)
class Block:
    """One of netgoals' planned blocks as a provider writes it."""

    uid: str  # stable: derived from the action, so a retried write finds its own block
    action_id: str
    goal_id: str | None
    title: str
    description: str
    start: datetime  # aware
    end: datetime
    time_zone: str


class WriteOutcome(Enum):
    WRITTEN = "written"
    CONFLICT = "conflict"  # a precondition failed: somebody else changed it (412)
    GONE = "gone"  # not there any more (the person deleted it)


@dataclass(frozen=True, slots=True)
class WriteResult:
    outcome: WriteOutcome
    version: str | None = None  # the ETag (or Google's etag) after the write, when known
    current: CalendarEvent | None = None  # on CONFLICT: what the server holds now


@dataclass(frozen=True, slots=True)
class BusyInterval:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Freshness:
    """How a provider keeps current: push channels (renewed before expiry) or polling."""

    push: bool
    poll_seconds: float  # the polling interval (a safety net when push is on)


class CalendarProvider(Protocol):
    """One connected calendar account."""

    name: str  # "google", "caldav"

    def connect(self) -> Connected: ...

    def create_calendar(self, name: str, time_zone: str) -> str | None:
        """Make netgoals' own calendar; None where the server does not allow it."""
        ...

    def busy(self, calendar_ids: Sequence[str], start: datetime, end: datetime) -> list[BusyInterval]: ...

    def changes(self, calendar_id: str, state: str | None) -> Changes: ...

    def put_block(self, calendar_id: str, block: Block, version: str | None) -> WriteResult: ...

    def delete_block(self, calendar_id: str, uid: str, version: str | None) -> WriteResult: ...

    def freshness(self) -> Freshness: ...
