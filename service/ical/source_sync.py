"""Reading a source (invariant 6): fetch (conditional GET), read every instance in the window,
decide with the pure attendance rules what counts, then append the derived events, save the
occurrences and store the source's new state in ONE transaction, compare-and-set on the source's
version. Any failure before that commit stores a clear error on the source and appends nothing.

Ids are uuid5s of the user, the occurrence key (UID and instance start) and the kind, so
re-reading — or reading the same event from two calendars — never counts twice; a content
fingerprint finds an occurrence again in feeds that invent a new UID on every fetch.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.errors import NotFoundError
from domain.event_types import events as ev
from domain.event_types.events import actions_stream
from domain.guards.backoff import poll_delay
from integrations.ical.fetch import Fetched, Fetcher, FetchError
from integrations.ical.source_reader import SourceError, read_calendar
from integrations.storage import ical_store as store
from integrations.storage.database import read_transaction, write_transaction
from integrations.storage.event_store import StreamAppend
from integrations.storage.secrets import UnreadableSecretError
from service.app import App
from service.ical.context import fetcher_of
from service.ical.derive import Work, derive, settle_due
from service.ical.sources import source_url
from service.settings import Settings

LOOKAHEAD = timedelta(days=30)  # accepted events still to come are remembered, then counted
MAX_BACKOFF = timedelta(days=1)  # the longest wait between polls of a source that keeps failing


@dataclass(slots=True)
class SourceReport:
    source_id: str
    status: str = "ok"  # ok, not-modified, error, conflict, file
    events_seen: int = 0
    unread: int = 0  # parts of the calendar that could not be read and were left out
    unread_notes: tuple[str, ...] = ()
    done: int = 0
    retracted: int = 0
    error: str | None = None


def sync_source(
    app: App, settings: Settings, source_id: str, user_id: str | None = None, fetcher: Fetcher | None = None
) -> SourceReport:
    """Read one source now. With a user id, only that user's source (else: not found)."""
    with read_transaction(app.engine) as connection:
        record = store.source(connection, source_id)
    if record is None or (user_id is not None and record.user_id != user_id):
        raise NotFoundError(f"no source {source_id!r}")
    report = SourceReport(source_id)
    now = app.now()
    try:
        url = source_url(settings, record)
    except UnreadableSecretError:
        return _failed(
            app, record, report, "the calendar's address does not decrypt: was NETGOALS_SECRET_KEY changed?"
        )
    if url is None:
        report.status = "file"
        return _commit(app, record, report, Work(record.user_id, now), {}, settle=True)
    try:
        fetched = (fetcher or fetcher_of(settings)).fetch(url, record.etag, record.last_modified)
    except FetchError as exc:
        return _failed(app, record, report, str(exc))
    if fetched.not_modified:
        report.status = "not-modified"
        state = {
            "etag": fetched.etag or record.etag,
            "last_modified": fetched.last_modified or record.last_modified,
        }
        return _commit(app, record, report, Work(record.user_id, now), state, settle=True)
    return read_body(app, settings, record, report, fetched)


def read_body(
    app: App, settings: Settings, record: store.SourceRecord, report: SourceReport, fetched: Fetched
) -> SourceReport:
    now = app.now()
    profile = app.profile(record.user_id)
    try:
        calendar = read_calendar(
            fetched.body,
            source_id=record.source_id,
            emails=record.emails,
            start=now - timedelta(days=settings.source_lookback_days),
            end=now + LOOKAHEAD,
            tz=profile.tz,
            charset=fetched.charset,
            content_type=fetched.content_type,
        )
    except SourceError as exc:
        return _failed(app, record, report, str(exc))
    work = Work(record.user_id, now)
    derive(app, work, record, profile, calendar.events)
    report.events_seen = len(calendar.events)
    report.unread, report.unread_notes = calendar.unread, calendar.problems
    state = {
        "etag": fetched.etag,
        "last_modified": fetched.last_modified,
        "events_seen": len(calendar.events),
        "unread": calendar.unread,
        "unread_notes": json.dumps(list(calendar.problems)),
    }
    return _commit(app, record, report, work, state, settle=False)


def read_file_source(app: App, settings: Settings, source_id: str, user_id: str, body: bytes) -> SourceReport:
    """An uploaded file, read like a fetched body."""
    with read_transaction(app.engine) as connection:
        record = store.source(connection, source_id)
    if record is None or record.user_id != user_id:
        raise NotFoundError(f"no source {source_id!r}")
    fetched = Fetched(False, body, None, None, "text/calendar", None, "")
    return read_body(app, settings, record, SourceReport(source_id), fetched)


def _commit(
    app: App,
    record: store.SourceRecord,
    report: SourceReport,
    work: Work,
    state: dict[str, Any],
    *,
    settle: bool,
) -> SourceReport:
    if settle:
        settle_due(app, work, record)
    values = {
        **state,
        "last_fetched_at": work.now.isoformat(),
        "last_status": report.status,
        "last_error": None,
        "next_due_at": _next_due(record, work.now),
    }
    with write_transaction(app.engine) as connection:
        if not store.advance_source(connection, record.source_id, record.version, **values):
            # Nothing was written yet: leaving the transaction commits nothing.
            report.status, report.error = "conflict", "the source was read by someone else meanwhile"
            return report
        for occurrence in work.touched.values():
            store.save(connection, record.source_id, occurrence)
        # What another source (or an earlier read) already appended is not news: report what is.
        known = store.existing_event_ids(connection, [e.event_id for e in work.events])
        fresh = [e for e in work.events if str(e.event_id) not in known]
        app.store.append_in(connection, StreamAppend(actions_stream(record.user_id), None, fresh))
        report.done = sum(1 for e in fresh if e.type == ev.ACTION_DONE)
        report.retracted = sum(1 for e in fresh if e.type == ev.ACTION_RETRACTED)
        store.add_derived(connection, record.source_id, report.done)
    app.projection.catch_up(record.user_id)
    return report


def _failed(app: App, record: store.SourceRecord, report: SourceReport, error: str) -> SourceReport:
    """Keep the error on the source for people to see; nothing else changes."""
    report.status, report.error = "error", error
    values = {
        "last_fetched_at": app.now().isoformat(),
        "last_status": "error",
        "last_error": error[:1000],
        "next_due_at": _next_due_after_failure(record, app.now()),
    }
    with write_transaction(app.engine) as connection:
        if not store.advance_source(connection, record.source_id, record.version, **values):
            report.status = "conflict"
    return report


def _next_due(record: store.SourceRecord, now: datetime) -> float | None:
    return now.timestamp() + record.interval_seconds if record.kind == "url" else None


def _next_due_after_failure(record: store.SourceRecord, now: datetime) -> float | None:
    """Back off: the wait doubles with each failure in a row (the last wait is what the source's
    row already holds: its next due time less its last read)."""
    if record.kind != "url":
        return None
    previous = None
    if record.last_status == "error" and record.next_due_at is not None and record.last_fetched_at:
        previous = record.next_due_at - datetime.fromisoformat(record.last_fetched_at).timestamp()
    cap = max(MAX_BACKOFF.total_seconds(), record.interval_seconds)
    return now.timestamp() + poll_delay(record.interval_seconds, previous, cap)


def sync_due_sources(
    app: App,
    settings: Settings,
    now: datetime | None = None,
    limit: int = 100,
    *,
    budget_seconds: float | None = None,
) -> list[SourceReport]:
    """Every source whose poll is due (the workers' periodic task and `netgoals sync` call this).
    With a budget, no read starts after it: the sources not reached stay due for the next round
    (each read commits with its new state, so nothing done is lost)."""
    moment = now or app.now()
    with read_transaction(app.engine) as connection:
        due = store.due_sources(connection, moment.timestamp(), limit)
    fetcher = fetcher_of(settings)
    stop_at = time.monotonic() + budget_seconds if budget_seconds is not None else None
    reports = []
    for record in due:
        if stop_at is not None and time.monotonic() >= stop_at:
            break
        try:
            reports.append(sync_source(app, settings, record.source_id, fetcher=fetcher))
        except NotFoundError:
            continue  # removed since it was listed
    return reports


def sync_user_sources(
    app: App, settings: Settings, user_id: str, *, due_only: bool = True
) -> list[SourceReport]:
    now = app.now().timestamp()
    with read_transaction(app.engine) as connection:
        found = store.sources_of(connection, user_id)
    chosen = [r for r in found if r.kind == "url" and (not due_only or (r.next_due_at or 0) <= now)]
    fetcher = fetcher_of(settings)
    return [sync_source(app, settings, r.source_id, fetcher=fetcher) for r in chosen]
