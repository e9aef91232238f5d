"""Sync once for one user: pull both calendars, plan the next weeks into free time, push the outbox
(re-creating the goals calendar if the user deleted it), and keep what happened as the
connection's state ("reconnect-needed", a quota pause, the last error) instead of retry storms.

A sync is one unit of work (`App.unit`, invariant 17 in docs/architecture.md): the reads between
two writes share one transaction, ended before every call to Google (`App.release_read`: no
transaction waits on Google's answer), the profile is replayed once and handed to every step, each step
commits what it decided in one transaction (a pull with its token, the sweep with what it
remembers, the plan, the push's marks), and the connection's state with the plan's fingerprint
in the last one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from domain.decisions.profile import Profile
from domain.event_types.events import actions_stream
from domain.tracking.periods import local_date
from integrations.google import oauth as google_oauth
from integrations.google.calendar import (
    GoogleCalendar,
    GoogleError,
    GoogleNotFoundError,
    QuotaExceededError,
    ReconnectNeededError,
)
from integrations.storage import calendar_store as store
from integrations.storage.database import read_transaction, write_transaction
from service.app import App
from service.google.context import Google
from service.google.ids import GOALS, GOALS_CALENDAR, PRIMARY
from service.google.notifications import renew_channels
from service.google.plan import make_plan
from service.google.pull import SyncConflictError, pull, settle_due
from service.google.push import CalendarGoneError, push
from service.google.report import Report
from service.tracking import confirmation
from service.tracking.confirm_links import Links


def sync_once(app: App, google: Google, user_id: str, *, budget_seconds: float | None = None) -> Report:
    """Pull both calendars, plan the next weeks into free time, push the outbox — once. With a
    budget, no call to Google starts after it: the sync stops as on a failure (each step committed
    what it did; the request stays for the next one)."""
    return _guarded(app, google, user_id, _sync, record=True, budget_seconds=budget_seconds)


def push_outbox_once(
    app: App, google: Google, user_id: str, *, budget_seconds: float | None = None
) -> Report:
    """Only send the outbox's pending rows (what a crash or a failure left behind)."""
    return _guarded(app, google, user_id, _push_only, record=False, budget_seconds=budget_seconds)


# A sync's work; returns what the connection's row must say besides its state (the plan's fingerprint).
_Work = Callable[[App, Google, GoogleCalendar, str, store.ConnectionRecord, Report], dict[str, Any]]


def _guarded(
    app: App, google: Google, user_id: str, work: _Work, *, record: bool, budget_seconds: float | None
) -> Report:
    """Run `work` with the user's client, and keep what happened as the connection's state. A sync
    request seen at the start is cleared only if no newer one came meanwhile (compare-and-set)."""
    deadline = time.monotonic() + budget_seconds if budget_seconds is not None else None
    with app.unit():
        return _guarded_in_unit(app, google, user_id, work, record=record, deadline=deadline)


def _guarded_in_unit(
    app: App, google: Google, user_id: str, work: _Work, *, record: bool, deadline: float | None
) -> Report:
    report = Report(user_id)
    now = app.now()
    with read_transaction(app.engine) as connection:
        found = store.connection_of(connection, user_id)
    if found is None or found.status == "disconnected" or not found.tokens:
        report.status = "not-connected"
        return report
    if found.status == "reconnect-needed":
        report.status, report.error = found.status, found.detail
        if found.sync_requested is not None:  # nothing can serve it until the person reconnects
            with write_transaction(app.engine) as connection:
                store.clear_sync_request(connection, user_id, found.sync_requested)
        return report
    if found.paused_until is not None and found.paused_until > now.timestamp():
        report.status = "paused"
        report.error = found.detail
        return report
    tokens = google.vault.open_sealed(found.tokens)
    # Each call to Google ends the unit's read first: a slow calendar must not hold a snapshot and
    # a pooled connection "idle in transaction" per sync; the profile read stays in the unit.
    client = google.client(tokens, before_call=app.release_read, deadline=deadline)
    served = False
    try:
        values: dict[str, Any] = work(app, google, client, user_id, found, report)
        values.update(status="connected", paused_until=None)
        served = record
        if not report.notices:
            values["detail"] = None
    except ReconnectNeededError as exc:
        report.status, report.error = "reconnect-needed", str(exc)
        values = {"status": "reconnect-needed", "detail": str(exc)}
        served = True  # no sync can run until the person reconnects (which asks for one anew)
    except QuotaExceededError as exc:
        until = now.timestamp() + google.settings.google_quota_pause
        report.status, report.error = (
            "paused",
            f"{exc}; paused until {datetime.fromtimestamp(until, UTC):%H:%M} UTC",
        )
        values = {"paused_until": until, "detail": report.error}
    except (GoogleError, SyncConflictError) as exc:
        report.status, report.error = "error", str(exc)
        values = {"detail": str(exc)}
    finally:
        _keep_refreshed_tokens(app, google, user_id, found.tokens, tokens, client)
    with write_transaction(app.engine) as connection:
        store.update_connection(connection, user_id, updated_at=app.now().isoformat(), **values)
        if served:
            store.clear_sync_request(connection, user_id, found.sync_requested)
        if record:
            at = app.now().timestamp()
            store.record_sync(connection, user_id, at, report.status, store.as_changes(report.counts()))
    app.projection.catch_up(user_id)
    return report


def _push_only(
    app: App,
    google: Google,
    client: GoogleCalendar,
    user_id: str,
    found: store.ConnectionRecord,
    report: Report,
) -> dict[str, Any]:
    if not found.goals_calendar_id:
        return {}  # nothing was planned yet: the first sync creates the calendar
    profile = app.profile(user_id)
    try:
        push(
            app,
            client,
            user_id,
            found.goals_calendar_id,
            profile,
            report,
            google.settings.public_url,
        )
    except CalendarGoneError:
        calendar_id = _create_calendar(app, client, user_id, profile.timezone, report, recreated=True)
        push(app, client, user_id, calendar_id, profile, report, google.settings.public_url)
    return {}


def _keep_refreshed_tokens(
    app: App, google: Google, user_id: str, sealed: str, tokens: dict[str, Any], client: GoogleCalendar
) -> None:
    fresh = google_oauth.tokens_of(client.credentials)
    if fresh["token"] and fresh["token"] != tokens.get("token"):
        fresh["refresh_token"] = fresh["refresh_token"] or tokens.get("refresh_token")
        with write_transaction(app.engine) as connection:
            store.replace_tokens(connection, user_id, sealed, google.vault.seal(fresh))


def _sync(
    app: App,
    google: Google,
    client: GoogleCalendar,
    user_id: str,
    found: store.ConnectionRecord,
    report: Report,
) -> dict[str, Any]:
    profile = app.profile(user_id)  # the one replay: every step below is handed it
    calendar_id = found.goals_calendar_id or _create_calendar(app, client, user_id, profile.timezone, report)
    changed = pull(app, client, user_id, PRIMARY, profile, report)
    try:
        pull(app, client, user_id, GOALS, profile, report)
    except GoogleNotFoundError:  # the user deleted the Networking goals calendar
        calendar_id = _create_calendar(app, client, user_id, profile.timezone, report, recreated=True)
    settle_due(app, user_id, profile, report)
    after = google.settings.confirm_after_days
    report.count(confirmation.sweep(app, user_id, after, planning=True, profile=profile))
    app.projection.catch_up(user_id)
    fingerprint = _fingerprint(app, user_id, profile)
    if changed or fingerprint != found.plan_fingerprint:
        make_plan(
            app,
            client,
            user_id,
            profile,
            google.settings.google_plan_weeks,
            google.settings.public_url,
            report,
        )
    public_url, links = google.settings.public_url, Links.open(google.settings)
    try:
        push(app, client, user_id, calendar_id, profile, report, public_url, links)
    except CalendarGoneError:
        calendar_id = _create_calendar(app, client, user_id, profile.timezone, report, recreated=True)
        push(app, client, user_id, calendar_id, profile, report, public_url, links)
    if google.watch:
        renew_channels(app, google, client, user_id, calendar_id)
    # Stored with the connection's state, in the sync's last transaction.
    return {"plan_fingerprint": _fingerprint(app, user_id, profile)}


def _fingerprint(app: App, user_id: str, profile: Profile) -> str:
    """What the plan depends on besides the calendars: the profile, the actions, and the user's
    local day (a new day in their time zone moves the planning window, not a new UTC day)."""
    actions = app.store.stream_version(actions_stream(user_id))
    today = local_date(app.now(), profile.tz)
    return f"{profile.version}/{actions}/{today.isoformat()}"


def _create_calendar(
    app: App,
    client: GoogleCalendar,
    user_id: str,
    time_zone: str,
    report: Report,
    *,
    recreated: bool = False,
) -> str:
    calendar_id = client.create_calendar(
        GOALS_CALENDAR, time_zone, "Time for your networking goals, planned by netgoals."
    )
    notice = None
    if recreated:
        notice = "Your “Networking goals” calendar was deleted; netgoals created it again."
        report.notices.append(notice)
    with write_transaction(app.engine) as connection:
        store.update_connection(connection, user_id, goals_calendar_id=calendar_id, detail=notice)
        store.set_calendar(connection, user_id, GOALS, calendar_id)
        if store.sync_state(connection, user_id, PRIMARY) is None:
            store.set_calendar(connection, user_id, PRIMARY, "primary")
        if recreated:
            store.repush_all(connection, user_id, app.now().timestamp())
    return calendar_id


def connected_users(app: App) -> list[str]:
    with read_transaction(app.engine) as connection:
        return store.connected_users(connection)
