"""Push the outbox to the CalDAV calendar planned into (invariant 7): each row whose revision is
ahead of what the server has is written under its stable UID with a precondition, then marked
pushed at that revision (compare-and-set), so a crash or a failure only delays it.

A failed precondition (412) means the person changed the block in their own client since netgoals
last read it (invariant 15): the block is read again and decided again — a move or a delete is
theirs and is kept (the action is rescheduled or skipped, by them), a ✓ in the title is their
"done"; only then, with the ETag just read, does netgoals write its own change (words, status).
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.calendars.calendar_port import Block, WriteOutcome, WriteResult
from domain.calendars.confirmation import ANSWER_DONE, title_says_done
from domain.decisions.profile import Profile
from domain.errors import DomainError
from domain.event_types.events import actions_stream
from integrations.caldav.provider import CalDAVProvider
from integrations.storage import caldav_store
from integrations.storage import calendar_store as outbox_store
from integrations.storage.database import read_transaction, write_transaction
from integrations.storage.event_store import StreamAppend
from service.app import App
from service.caldav.pull import PullWork, own_block, save_own
from service.google.report import Report
from service.tracking import confirmation

MAX_TRIES = 3  # a block the person keeps editing while we write waits for the next sync


def push(
    app: App, provider: CalDAVProvider, user_id: str, calendar_id: str, profile: Profile, report: Report
) -> None:
    with read_transaction(app.engine) as connection:
        rows = outbox_store.outbox_rows(connection, user_id, pending_only=True)
    for row in rows:
        for _try in range(MAX_TRIES):
            decided = _one(app, provider, user_id, calendar_id, profile, row, report)
            if decided is None:
                break
            row = decided
        report.pushed += 1


def _title(row: dict[str, Any], user_title: str | None) -> str:
    """Ours, unless the person renamed the block: then theirs (with our ✓ when we marked it done)."""
    if user_title is None:
        return str(row["title"])
    done = str(row["title"]).startswith(confirmation.CHECK) and not title_says_done(user_title)
    return f"{confirmation.CHECK} {user_title}" if done else user_title


def _block(row: dict[str, Any], time_zone: str, title: str) -> Block:
    return Block(
        uid=row["google_event_id"],
        action_id=row["action_id"],
        goal_id=row["goal_id"],
        title=title,
        description=row["description"],
        # In the person's zone (a TZID with its VTIMEZONE), not the fixed offset the row keeps.
        start=datetime.fromisoformat(row["start"]).astimezone(ZoneInfo(time_zone)),
        end=datetime.fromisoformat(row["end"]).astimezone(ZoneInfo(time_zone)),
        time_zone=time_zone,
    )


def _one(
    app: App,
    provider: CalDAVProvider,
    user_id: str,
    calendar_id: str,
    profile: Profile,
    row: dict[str, Any],
    report: Report,
) -> dict[str, Any] | None:
    """Write one row; None when done, else the row as decided again (try once more)."""
    uid = row["google_event_id"]
    with read_transaction(app.engine) as connection:
        kept = caldav_store.block_of(connection, user_id, row["action_id"])
    ours = kept is not None and kept["calendar_id"] == calendar_id
    etag = kept["etag"] if ours and kept is not None else None
    user_title = kept["user_title"] if ours and kept is not None else None
    title = _title(row, user_title)
    if row["present"]:
        block = _block(row, profile.timezone, title)
        result = provider.put_block(calendar_id, block, etag if row["pushed"] else None)
    elif row["pushed"]:
        result = provider.delete_block(calendar_id, uid, etag)
    else:
        result = WriteResult(WriteOutcome.WRITTEN)
    if result.outcome is WriteOutcome.CONFLICT and not row["pushed"] and result.current is not None:
        # Ours already (a write whose answer was lost): the same block, now with its ETag.
        with write_transaction(app.engine) as connection:
            caldav_store.save_block(
                connection,
                user_id,
                row["action_id"],
                uid=uid,
                calendar_id=calendar_id,
                etag=result.version,
                start=row["start"],
                end=row["end"],
                present=True,
                title=title,
            )
        return {**row, "pushed": True}
    if result.outcome is WriteOutcome.CONFLICT:
        return _decide_again(app, user_id, profile, row, result, report)
    values: dict[str, Any] = {}
    work = PullWork(app, user_id, profile, [], app.now())
    if result.outcome is WriteOutcome.GONE and row["present"]:
        own_block(work, {**row, "status": "planned", "pushed": True}, [], gone=True)  # the person deleted it
        values.update(work.outbox.get(row["action_id"], {}))
    elif row["present"]:
        values["pushed"] = True
    with write_transaction(app.engine) as connection:
        outbox_store.mark_pushed(connection, user_id, row["action_id"], row["revision"], **values)
        caldav_store.save_block(
            connection,
            user_id,
            row["action_id"],
            uid=uid,
            calendar_id=calendar_id,
            etag=result.version,
            start=row["start"],
            end=row["end"],
            present=bool(row["present"]) and result.outcome is WriteOutcome.WRITTEN,
            title=title,
        )
        app.store.append_in(connection, StreamAppend(actions_stream(user_id), None, work.events))
    report.count(work.events)
    return None


def _decide_again(
    app: App, user_id: str, profile: Profile, row: dict[str, Any], result: WriteResult, report: Report
) -> dict[str, Any] | None:
    """412: what the person did wins; then our change goes out on top of it, with their ETag."""
    current = result.current
    work = PullWork(app, user_id, profile, [], app.now())
    with read_transaction(app.engine) as connection:
        written = caldav_store.block_times(connection, user_id, [row["action_id"]]).get(row["action_id"])
    if current is not None:
        # Judged as a pull would: against what netgoals last wrote (the row's time, if none kept).
        seen = {**row, "status": "planned", "pushed": True}
        base = written or caldav_store.Written(row["start"], row["end"], None, None)
        own_block(work, seen, [current], gone=False, written=base)
    if result.version:
        work.versions[row["action_id"]] = result.version
    with write_transaction(app.engine) as connection:
        save_own(connection, work)
        app.store.append_in(connection, StreamAppend(actions_stream(user_id), None, work.events))
    report.count(work.events)
    for action_id in work.checked:
        with contextlib.suppress(DomainError):  # not started yet: the title alone changes nothing
            report.confirmed += confirmation.confirm(app, user_id, action_id, ANSWER_DONE, "title").changed
    with read_transaction(app.engine) as connection:
        fresh = {r["action_id"]: r for r in outbox_store.outbox_rows(connection, user_id)}.get(
            row["action_id"]
        )
    if fresh is None or fresh["revision"] == fresh["pushed_revision"]:
        return None  # nothing of ours left to write (the person's edit settled it)
    return fresh
