"""A calendar netgoals reads (an iCal source), what one read of it counted, and the answer to
"read it now": one shape each for `/api/v1/sources…` and `netgoals source … --json`."""

from __future__ import annotations

from pydantic import BaseModel

from service.ical.read_now import ReadRequested
from service.ical.source_sync import SourceReport
from service.ical.sources import SourceView


class SourceOut(BaseModel):
    """A source as people see it: never its full address (it may be a secret link)."""

    source_id: str
    kind: str  # url or file
    display: str
    trust_all: bool
    emails: list[str]
    interval_seconds: int
    last_fetched_at: str | None  # as stored (ISO), not reformatted
    last_status: str
    last_error: str | None
    events_seen: int
    actions_derived: int
    unread: int  # parts the last read could not read (left out, the rest read)
    unread_notes: list[str]
    created_at: str

    @classmethod
    def of(cls, s: SourceView) -> SourceOut:
        return cls(
            source_id=s.source_id,
            kind=s.kind,
            display=s.display,
            trust_all=s.trust_all,
            emails=list(s.emails),
            interval_seconds=s.interval_seconds,
            last_fetched_at=s.last_fetched_at,
            last_status=s.last_status,
            last_error=s.last_error,
            events_seen=s.events_seen,
            actions_derived=s.actions_derived,
            unread=s.unread,
            unread_notes=list(s.unread_notes),
            created_at=s.created_at,
        )


class SourceReportOut(BaseModel):
    """What one read of a source counted."""

    source_id: str
    status: str  # ok, not-modified, error, conflict, file
    events_seen: int
    unread: int
    unread_notes: list[str]
    done: int
    retracted: int
    error: str | None

    @classmethod
    def of(cls, r: SourceReport) -> SourceReportOut:
        return cls(
            source_id=r.source_id,
            status=r.status,
            events_seen=r.events_seen,
            unread=r.unread,
            unread_notes=list(r.unread_notes),
            done=r.done,
            retracted=r.retracted,
            error=r.error,
        )


class SourceReadOut(BaseModel):
    """A file read at once (uploaded, or read again): the source and what the read counted."""

    source: SourceOut
    read: SourceReportOut

    @classmethod
    def of(cls, source: SourceView, report: SourceReport) -> SourceReadOut:
        return cls(source=SourceOut.of(source), read=SourceReportOut.of(report))


class ReadQueuedOut(BaseModel):
    queued: str  # sent, already-queued or unavailable (the periodic read of due sources takes it)
    due_at: float  # epoch seconds: when a worker may read it
    result: str  # where the result shows
    detail: str


class SourceQueuedOut(BaseModel):
    """An address to read: a worker reads it; the source's last read and status show the result."""

    source: SourceOut
    read: ReadQueuedOut

    @classmethod
    def of(cls, requested: ReadRequested) -> SourceQueuedOut:
        return cls(
            source=SourceOut.of(requested.source),
            read=ReadQueuedOut(
                queued=requested.queued,
                due_at=requested.due_at,
                result=f"/api/v1/sources/{requested.source.source_id}",
                detail="a worker reads it; its last_fetched_at, last_status and last_error show the result",
            ),
        )
