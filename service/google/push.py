"""Push (invariant 7): send each outbox row whose revision is ahead of what Google has, then mark it
pushed at that revision (compare-and-set), so a crash or a failure only delays it. The marks of one
push commit together, when it ends or fails (a row sent again after a crash is an insert Google
already has, which counts as there, or the same patch).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from domain.calendars.confirmation import ANSWER_DONE, ANSWER_SKIP
from domain.decisions.profile import Profile
from domain.event_types.events import NewEvent, actions_stream
from integrations.google.calendar import (
    GoogleCalendar,
    GoogleNotFoundError,
)
from integrations.storage import calendar_store as store
from integrations.storage import views
from integrations.storage.database import read_transaction, write_transaction
from integrations.storage.event_store import StreamAppend
from service.app import App
from service.google.blocks import (
    CONFIRM_MARK,
    confirm_section,
    deleted_in_google,
    describe,
    done_so_far,
    to_block,
)
from service.google.report import Report
from service.tracking.confirm_links import Links


def event_body(row: dict[str, Any], time_zone: str, contact_ids: Iterable[str] = ()) -> dict[str, Any]:
    private = {"netgoals": "1", "netgoals_action": row["action_id"], "netgoals_goal": row["goal_id"] or ""}
    contacts = ",".join(contact_ids)
    if contacts:
        private["netgoals_contacts"] = contacts
    return {
        "id": row["google_event_id"],
        "summary": row["title"],
        "description": row["description"],
        "start": {"dateTime": row["start"], "timeZone": time_zone},
        "end": {"dateTime": row["end"], "timeZone": time_zone},
        "reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": 10}]},
        "transparency": "opaque",
        "extendedProperties": {"private": private},
    }


def _description(
    row: dict[str, Any],
    profile: Profile,
    counts: dict[str, dict[date, int]],
    public_url: str,
    user_id: str,
    links: Links | None,
) -> str:
    if row["goal_id"]:
        block = to_block(row)
        done = done_so_far(profile, counts, block)
        base = describe(profile, row["goal_id"], done, public_url, block.period_start)
    else:
        base = row["description"].split(CONFIRM_MARK, 1)[0]
    urls = None
    if links is not None and row.get("links_until") is not None:
        until = datetime.fromtimestamp(row["links_until"], UTC)
        urls = (
            links.url(user_id, row["action_id"], ANSWER_DONE, until),
            links.url(user_id, row["action_id"], ANSWER_SKIP, until),
        )
    return base + confirm_section(row, public_url, urls)


def refresh_progress(app: App, user_id: str, profile: Profile, public_url: str, links: Links | None) -> int:
    """Upcoming blocks already in Google whose "progress so far" went stale (an action was counted
    since) are marked to push again, so the next push patches them. A sync runs at most once per
    debounce window, so this costs at most one round of patches per user every few minutes, and
    only for blocks whose words changed. Returns how many were marked."""
    now = app.now().timestamp()
    with read_transaction(app.engine) as connection:
        rows = [
            r
            for r in store.outbox_rows(connection, user_id)
            if r["goal_id"]
            and r["present"]
            and r["pushed"]
            and r["status"] == "planned"
            and r["start_at"] > now
        ]
        counts = views.progress_counts(connection, user_id) if rows else {}
    if not rows:
        return 0
    stale = [
        (row, fresh)
        for row in rows
        if (fresh := _description(row, profile, counts, public_url, user_id, links)) != row["description"]
    ]
    if stale:
        with write_transaction(app.engine) as connection:
            for row, fresh in stale:
                store.change_outbox(connection, user_id, row["action_id"], push=True, description=fresh)
    return len(stale)


class CalendarGoneError(RuntimeError):
    """The user deleted the Networking goals calendar."""


def push(
    app: App,
    client: GoogleCalendar,
    user_id: str,
    calendar_id: str,
    profile: Profile,
    report: Report,
    public_url: str | None = None,
    links: Links | None = None,
) -> None:
    """Send what changed. A goal's block going out anyway (inserted or patched) carries a fresh
    description, so its "progress so far" is current whenever the block changes; progress alone
    never costs a request per block (with `public_url`; without, the stored text goes out). A
    block that has passed says whether it happened, with signed links when `links` can sign."""
    if public_url:
        refresh_progress(app, user_id, profile, public_url, links)
    with read_transaction(app.engine) as connection:
        rows = store.outbox_rows(connection, user_id, pending_only=True)
        counts = views.progress_counts(connection, user_id) if public_url and rows else {}
    sent: list[tuple[dict[str, Any], dict[str, Any], list[NewEvent]]] = []
    try:
        for row in rows:
            sent.append(_send(app, client, user_id, calendar_id, profile, row, counts, public_url, links))
    finally:
        if sent:
            _mark(app, user_id, sent, report)


def _mark(
    app: App, user_id: str, sent: list[tuple[dict[str, Any], dict[str, Any], list[NewEvent]]], report: Report
) -> None:
    """What was sent, marked pushed at the revision sent (compare-and-set), in one transaction."""
    events = [event for _row, _values, found in sent for event in found]
    with write_transaction(app.engine) as connection:
        for row, values, _found in sent:
            store.mark_pushed(connection, user_id, row["action_id"], row["revision"], **values)
        if events:
            app.store.append_in(connection, StreamAppend(actions_stream(user_id), None, events))
    report.pushed += len(sent)
    report.count(events)


def _send(
    app: App,
    client: GoogleCalendar,
    user_id: str,
    calendar_id: str,
    profile: Profile,
    row: dict[str, Any],
    counts: dict[str, dict[date, int]],
    public_url: str | None,
    links: Links | None,
) -> tuple[dict[str, Any], dict[str, Any], list[NewEvent]]:
    """Send one row; returns it with what its outbox row must say now and any event to append."""
    time_zone = profile.timezone
    values: dict[str, Any] = {}
    events: list[NewEvent] = []
    if public_url and row["present"]:
        fresh = _description(row, profile, counts, public_url, user_id, links)
        if fresh != row["description"]:
            row = {**row, "description": fresh}
            values["description"] = fresh
    try:
        if row["present"] and not row["pushed"]:
            contacts = (row.get("contact_ids") or "").split(",")
            client.insert_event(calendar_id, event_body(row, time_zone, filter(None, contacts)))
            values["pushed"] = True
        elif row["present"]:
            body = {
                "summary": row["title"],
                "description": row["description"],
                "start": {"dateTime": row["start"], "timeZone": time_zone},
                "end": {"dateTime": row["end"], "timeZone": time_zone},
            }
            if client.patch_event(calendar_id, row["google_event_id"], body) == "gone":
                events.append(deleted_in_google(row["action_id"], app.now()))
                values.update(status="skipped", present=False, skipped_by_user=True)
        elif row["pushed"]:
            client.delete_event(calendar_id, row["google_event_id"])
    except GoogleNotFoundError:
        if not client.calendar_exists(calendar_id):
            raise CalendarGoneError(calendar_id) from None
        values.update(status="skipped", present=False)  # the event itself is gone
    return row, values, events
