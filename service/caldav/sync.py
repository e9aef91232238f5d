"""Sync once for one CalDAV account, and the workers' polling of every account that is due.

One sync: pull every calendar read (and the one planned into, for the person's moves, deletes
and ✓), settle what ended, sweep confirmations, plan into free time, push the outbox. Its outcome
is the account's state: a success polls again in 15 minutes; a failure waits twice as long each
time (at most six hours, never before the server's Retry-After); refused credentials stop polling
until the person connects again — never a retry storm against someone's server.
"""

from __future__ import annotations

import logging
from datetime import datetime

from domain.calendars.calendar_port import (
    CalendarGoneError,
    ProviderError,
    RateLimitedError,
    ReconnectNeededError,
)
from domain.decisions.profile import Profile
from domain.event_types.events import actions_stream
from domain.tracking.periods import local_date
from integrations.caldav.provider import CalDAVProvider
from integrations.storage import caldav_store
from integrations.storage import calendar_store as outbox_store
from integrations.storage.database import read_transaction, write_transaction
from service.app import App
from service.caldav.connect import GOALS
from service.caldav.context import CalDAV, next_poll
from service.caldav.pull import SyncConflictError, pull, settle_due
from service.caldav.push import push
from service.google.ids import GOALS_CALENDAR
from service.google.plan import make_plan
from service.google.report import Report
from service.tracking import confirmation

log = logging.getLogger("netgoals.caldav")


class _Busy:
    """The planner's view of when the person is busy: the calendars read."""

    def __init__(self, provider: CalDAVProvider, calendar_ids: list[str]) -> None:
        self.provider, self.calendar_ids = provider, calendar_ids

    def busy(self, time_min: datetime, time_max: datetime) -> list[tuple[datetime, datetime]]:
        return [(b.start, b.end) for b in self.provider.busy(self.calendar_ids, time_min, time_max)]


def sync_once(app: App, caldav: CalDAV, user_id: str) -> Report:
    report = Report(user_id, provider="caldav")
    with read_transaction(app.engine) as connection:
        account = caldav_store.account_of(connection, user_id)
    if account is None or account.status == "disconnected" or account.sealed is None:
        report.status = "not-connected"
        return report
    if account.status == "reconnect-needed":
        report.status, report.error = account.status, account.detail
        return report
    profile = app.profile(user_id)
    now = app.now().timestamp()
    values: dict[str, object]
    try:
        _sync(app, caldav, caldav.provider_of(app, account, profile.tz), user_id, account, profile, report)
        values = {"status": "connected", "failures": 0, "next_poll_at": next_poll(now, 0)}
        values["detail"] = "; ".join(report.notices) or None
        values["last_sync_at"] = app.now().isoformat()
    except ReconnectNeededError as exc:
        report.status, report.error = "reconnect-needed", str(exc)
        values = {"status": "reconnect-needed", "detail": str(exc), "next_poll_at": None}
    except RateLimitedError as exc:
        report.status, report.error = "error", str(exc)
        failures = account.failures + 1
        values = {
            "failures": failures,
            "detail": str(exc),
            "next_poll_at": next_poll(now, failures, exc.retry_after),
        }
    except (ProviderError, SyncConflictError) as exc:
        report.status, report.error = "error", str(exc)
        failures = account.failures + 1
        values = {"failures": failures, "detail": str(exc), "next_poll_at": next_poll(now, failures)}
    with write_transaction(app.engine) as connection:
        caldav_store.update_account(connection, user_id, updated_at=app.now().isoformat(), **values)
    app.projection.catch_up()
    return report


def _sync(
    app: App,
    caldav: CalDAV,
    provider: CalDAVProvider,
    user_id: str,
    account: caldav_store.Account,
    profile: Profile,
    report: Report,
) -> None:
    with read_transaction(app.engine) as connection:
        calendars = caldav_store.calendars_of(connection, user_id)
    changed = 0
    goals = next((c for c in calendars if c.role == GOALS), None)
    for row in calendars:
        try:
            changed += pull(app, provider, user_id, row, profile, report)
        except CalendarGoneError:
            if row.role == GOALS:
                goals = None  # made again below
            else:
                report.notices.append(
                    f"The calendar {row.name!r} is gone from the server; it is no longer read."
                )
                with write_transaction(app.engine) as connection:
                    kept = [
                        (c.calendar_id, c.name, c.role) for c in calendars if c.calendar_id != row.calendar_id
                    ]
                    caldav_store.set_calendars(connection, user_id, kept)
    goals_id = goals.calendar_id if goals is not None else _recreate(app, provider, user_id, profile, report)
    settle_due(app, user_id, report)
    after = caldav.settings.confirm_after_days
    report.count(confirmation.sweep(app, user_id, after, planning=True, profile=profile))
    app.projection.catch_up()
    fingerprint = _fingerprint(app, user_id, profile)
    if changed or fingerprint != account.plan_fingerprint:
        # The calendars read, not the one planned into: there, netgoals' own blocks would be busy
        # time that pushes them away from themselves on every sync (Google reads only primary).
        busy = _Busy(provider, [c.calendar_id for c in calendars if c.role != GOALS])
        weeks = caldav.settings.google_plan_weeks
        make_plan(app, busy, user_id, profile, weeks, caldav.settings.public_url, report)
    push(app, provider, user_id, goals_id, profile, report)
    with write_transaction(app.engine) as connection:
        caldav_store.update_account(connection, user_id, plan_fingerprint=_fingerprint(app, user_id, profile))


def _recreate(app: App, provider: CalDAVProvider, user_id: str, profile: Profile, report: Report) -> str:
    """The person deleted the calendar planned into: make it again where the server lets us."""
    made = provider.create_calendar(GOALS_CALENDAR, profile.timezone)
    if made is None:
        raise ProviderError(
            "the calendar netgoals planned into is gone and the server does not let netgoals make one: "
            "connect again and choose a calendar to plan into"
        )
    report.notices.append("Your “Networking goals” calendar was deleted; netgoals created it again.")
    with write_transaction(app.engine) as connection:
        calendars = caldav_store.calendars_of(connection, user_id)
        kept = [(c.calendar_id, c.name, c.role) for c in calendars if c.role != GOALS]
        caldav_store.set_calendars(connection, user_id, [*kept, (made, GOALS_CALENDAR, GOALS)])
        caldav_store.update_account(connection, user_id, goals_calendar=made)
        outbox_store.repush_all(connection, user_id, app.now().timestamp())
    return made


def _fingerprint(app: App, user_id: str, profile: Profile) -> str:
    actions = app.store.stream_version(actions_stream(user_id))
    return f"{profile.version}/{actions}/{local_date(app.now(), profile.tz).isoformat()}"


def connected_users(app: App) -> list[str]:
    with read_transaction(app.engine) as connection:
        return caldav_store.connected_accounts(connection)


def due_users(app: App, limit: int = 20) -> list[str]:
    with read_transaction(app.engine) as connection:
        return caldav_store.due_accounts(connection, app.now().timestamp(), limit)


def poll_due(app: App, caldav: CalDAV, limit: int = 20) -> list[Report]:
    """The workers' poll: sync each account whose time has come (each sync sets its next time, so
    a failing server is tried less and less often)."""
    with read_transaction(app.engine) as connection:
        due = caldav_store.due_accounts(connection, app.now().timestamp(), limit)
    reports = []
    for user_id in due:
        report = sync_once(app, caldav, user_id)
        log.info("caldav sync user=%s status=%s error=%s", user_id, report.status, report.error)
        reports.append(report)
    return reports


def request_sync(app: App, user_id: str) -> bool:
    """Ask for a sync now (the person's "sync now"): the next poll is due at once."""
    with write_transaction(app.engine) as connection:
        found = caldav_store.account_of(connection, user_id)
        if found is None or found.status != "connected":
            return False
        caldav_store.update_account(connection, user_id, next_poll_at=app.now().timestamp())
    return True
