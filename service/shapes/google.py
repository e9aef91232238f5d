"""Google Calendar's shapes: the connection and how fresh it is (`/api/v1/google`, `/api/v1/google/sync`,
`netgoals google status --json`), connecting and disconnecting, and someone met at an attended
event who is not a contact yet (`GET /api/v1/google/suggestions`, `netgoals suggestions --json`,
the network page) and the answer to adding them."""

from __future__ import annotations

from pydantic import BaseModel

from service.google.connect import Status
from service.google.suggestions import Added, Suggestion
from service.read_models.sync_status import CalendarSync


class SuggestionOut(BaseModel):
    email: str
    name: str | None
    met_at: str  # the event's start
    event: str  # its title
    times: int  # how many attended events they were at

    @classmethod
    def of(cls, s: Suggestion) -> SuggestionOut:
        return cls(email=s.email, name=s.name, met_at=s.met_at, event=s.event, times=s.times)


class GoogleStatusOut(BaseModel):
    """The calendar connection (`GET /api/v1/google`)."""

    status: str  # not-connected, connected, reconnect-needed, paused, disconnected
    detail: str | None
    calendar_id: str | None  # the "Networking goals" calendar planned into
    paused_until: str | None  # ISO, while Google's quota pauses the sync
    sync_requested: bool

    @classmethod
    def of(cls, s: Status) -> GoogleStatusOut:
        return cls(
            status=s.status,
            detail=s.detail,
            calendar_id=s.calendar_id,
            paused_until=s.paused_until.isoformat() if s.paused_until else None,
            sync_requested=s.sync_requested,
        )


class CalendarSyncOut(BaseModel):
    """How fresh the calendar is (`GET /api/v1/google/sync`)."""

    last_synced_at: str | None  # ISO
    last_outcome: str | None
    last_changes: dict[str, int]
    last_summary: str | None
    mode: str  # push or polling
    poll_minutes: float
    sync_requested: bool
    sync: str | None  # "queued" only while a worker is alive to run it

    @classmethod
    def of(cls, s: CalendarSync) -> CalendarSyncOut:
        return cls(
            last_synced_at=s.last_synced_at.isoformat() if s.last_synced_at else None,
            last_outcome=s.outcome,
            last_changes=s.changes,
            last_summary=s.summary if s.last_synced_at else None,
            mode=s.mode,
            poll_minutes=s.poll_minutes,
            sync_requested=s.requested,
            sync=s.waiting,
        )


class GoogleOverviewOut(BaseModel):
    """`netgoals google status --json`: the connection and its freshness in one answer — the two
    above merged, the freshness's `sync_requested` (not asked for once disconnected) winning."""

    status: str
    detail: str | None
    calendar_id: str | None
    paused_until: str | None
    sync_requested: bool
    last_synced_at: str | None
    last_outcome: str | None
    last_changes: dict[str, int]
    last_summary: str | None
    mode: str
    poll_minutes: float
    sync: str | None

    @classmethod
    def of(cls, status: Status, fresh: CalendarSync) -> GoogleOverviewOut:
        return cls.model_validate(
            {**GoogleStatusOut.of(status).model_dump(), **CalendarSyncOut.of(fresh).model_dump()}
        )


class ConsentOut(BaseModel):
    url: str  # Google's consent page, to open in a browser signed in as the same user


class DisconnectedOut(BaseModel):
    disconnected: bool  # false: it was not connected


class SuggestionAddedOut(BaseModel):
    contact_id: str
    follow_up: str | None  # ISO: the follow-up planned within three days, if a slot was free

    @classmethod
    def of(cls, added: Added) -> SuggestionAddedOut:
        return cls(
            contact_id=added.contact_id,
            follow_up=added.follow_up.isoformat() if added.follow_up else None,
        )
