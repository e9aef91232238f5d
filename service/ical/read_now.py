"""A person's "read this calendar now", off the request path.

Reading a calendar is network I/O that a slow or hostile server can stretch to its deadline, so
the web never does it: the request is data — the source becomes due (`request_read`) — and one
message per person asks a worker to read that person's due sources (invariant 7: a lost message
only waits for the periodic read of due sources). The answer comes at once and says where the
result will show: the source's last read and status.

Bounds on what one person can cause: one queued message at a time (the "queued" mark), at most
`PER_MESSAGE` reads per message (the rest stay due for the next one), and one read of a source per
`MIN_GAP` seconds however often it is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.errors import NotFoundError
from integrations.queue.enqueue import SENT, UNAVAILABLE
from integrations.storage import ical_store as store
from integrations.storage.database import read_transaction, write_transaction
from service.ical.context import fetcher_of
from service.ical.source_sync import SourceReport, sync_source
from service.ical.sources import SourceView, view_of
from service.operations.jobs import Jobs

MIN_GAP = 60.0  # seconds between two reads of one source that a person asks for
PER_MESSAGE = 5  # reads one message does; each has the fetcher's own deadline


@dataclass(frozen=True, slots=True)
class ReadRequested:
    source: SourceView
    due_at: float  # when a worker may read it (now, or MIN_GAP after its last read)
    queued: str  # sent, already-queued (a message for this person is waiting) or unavailable


def request_read(jobs: Jobs, user_id: str, source_id: str) -> ReadRequested:
    """Make the person's source due and ask a worker for it (after the commit). NotFoundError
    for a source that is not theirs or has no address to read (an uploaded file)."""
    now = jobs.app.now().timestamp()
    with read_transaction(jobs.app.engine) as connection:
        found = store.source(connection, source_id)
    if found is None or found.user_id != user_id or found.kind != "url":
        raise NotFoundError(f"no calendar address {source_id!r} to read")
    last = datetime.fromisoformat(found.last_fetched_at).timestamp() if found.last_fetched_at else None
    due_at = max(now, last + MIN_GAP) if last is not None else now
    claimed = jobs.enqueuer.claim("sources", user_id)
    with write_transaction(jobs.app.engine) as connection:
        record = store.request_read(connection, user_id, source_id, due_at)
    if record is None:  # removed meanwhile
        if claimed == SENT:
            jobs.enqueuer.started("sources", user_id)
        raise NotFoundError(f"no calendar address {source_id!r} to read")
    queued = claimed
    if claimed == SENT:
        delay = max(0.0, (record.next_due_at or now) - now)
        queued = SENT if jobs.enqueuer.send("sources", user_id, delay) else UNAVAILABLE
    return ReadRequested(view_of(record), record.next_due_at or due_at, queued)


def read_due(jobs: Jobs, user_id: str) -> list[SourceReport]:
    """The worker's side: read up to PER_MESSAGE of the person's due sources; ask again for the
    rest (each read commits on its own, so a cut-short run loses nothing)."""
    jobs.enqueuer.started("sources", user_id)
    now = jobs.app.now().timestamp()
    with read_transaction(jobs.app.engine) as connection:
        due = store.due_sources_of(connection, user_id, now, PER_MESSAGE + 1)
    fetcher = fetcher_of(jobs.settings)
    reports = []
    for record in due[:PER_MESSAGE]:
        try:
            reports.append(sync_source(jobs.app, jobs.settings, record.source_id, user_id, fetcher))
        except NotFoundError:
            continue  # removed since it was listed
    if len(due) > PER_MESSAGE:
        jobs.enqueuer.request("sources", user_id)
    return reports
