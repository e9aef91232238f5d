"""Connect a CalDAV account: discover the calendar home from what the person typed, choose the
calendars to read and the one to plan into (netgoals' own "Networking goals", made with
MKCALENDAR where the server allows it), keep the password sealed, and let the workers poll it.

Everything is checked before anything is stored: a wrong address, password or calendar name is
a DomainError naming it, and nothing changes. The password never reaches the log or a log line
(invariant 8); the log only says that a CalDAV calendar was connected.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain.calendars.calendar_port import CalendarInfo, ProviderError
from domain.errors import DomainError
from domain.event_types import facts
from integrations.caldav.discovery import start_url
from integrations.storage import caldav_store
from integrations.storage import calendar_store as google_store
from integrations.storage.database import read_transaction, write_transaction
from service.app import App
from service.caldav.context import CalDAV
from service.google.ids import GOALS_CALENDAR

log = logging.getLogger(__name__)
READ, GOALS = "read", "goals"


@dataclass(frozen=True, slots=True)
class Connected:
    account: str
    plan_into: CalendarInfo
    read: tuple[CalendarInfo, ...]
    created: bool  # netgoals made its own calendar


def connect(
    app: App,
    caldav: CalDAV,
    user_id: str,
    server: str,
    *,
    username: str,
    password: str,
    preset: str | None = None,
    read: Sequence[str] | None = None,
    plan_into: str | None = None,
    emails: Sequence[str] = (),
) -> Connected:
    """`emails`: who the person is in ATTENDEE and ORGANIZER, besides what the server says and
    their netgoals account's address."""
    if not username.strip():
        raise DomainError("give the CalDAV user name (for iCloud and Fastmail: your account's email)")
    if not password:
        raise DomainError("give the CalDAV password (for iCloud and Fastmail: an app password)")
    _no_google(app, user_id)
    profile = app.profile(user_id)
    try:
        url = start_url(server, preset)
        provider = caldav.provider(app, caldav.session(username.strip(), password), url, profile.tz)
        found = provider.connect()
        calendars = list(found.calendars)
        goals, created = _plan_into(provider, calendars, plan_into, found.can_create, profile.timezone)
    except ProviderError as exc:
        raise DomainError(f"CalDAV: {exc}") from None
    chosen = _read(calendars, read, goals)
    home = provider.home
    assert home is not None  # connect found it
    now = app.now()
    with write_transaction(app.engine) as connection:
        before = caldav_store.account_of(connection, user_id)
        caldav_store.save_account(
            connection,
            user_id,
            {
                "status": "connected",
                "detail": None,
                "server_url": url,
                "username": username.strip(),
                "sealed": caldav.vault.seal({"password": password}),
                "principal": home.principal,
                "home": home.home,
                "emails": _me(provider.me(), emails, profile.handle),
                "goals_calendar": goals.calendar_id,
                "plan_fingerprint": None,
                "next_poll_at": now.timestamp(),  # the workers' first sync, as soon as they look
                "failures": 0,
                "connected_at": now.isoformat(),
                "updated_at": now.isoformat(),
            },
        )
        caldav_store.set_calendars(
            connection,
            user_id,
            [(c.calendar_id, c.name, READ) for c in chosen] + [(goals.calendar_id, goals.name, GOALS)],
        )
    if before is None or before.status == "disconnected":
        app.decide_profile(user_id, lambda _p: [facts.calendar_connected("caldav", goals.name, now)])
    log.info("caldav calendar connected for user %s", user_id)
    return Connected(found.account, goals, tuple(chosen), created)


def _me(found: Sequence[str], given: Sequence[str], handle: str) -> tuple[str, ...]:
    cleaned = [e.strip().lower() for e in given if e.strip()]
    if any("@" not in e for e in cleaned):
        raise DomainError("an email address needs an @")
    own = [handle.lower()] if "@" in handle else []
    return tuple(dict.fromkeys([*found, *cleaned, *own]))


def _no_google(app: App, user_id: str) -> None:
    """One provider plans a person's blocks: two would each write every block."""
    with read_transaction(app.engine) as connection:
        google = google_store.connection_of(connection, user_id)
    if google is not None and google.status != "disconnected":
        raise DomainError(
            "Google Calendar is connected: disconnect it first (`netgoals google disconnect`), "
            "since one calendar provider plans your blocks"
        )


def _match(calendars: Sequence[CalendarInfo], wanted: str) -> CalendarInfo:
    wanted_folded = wanted.strip().casefold()
    for calendar in calendars:
        if calendar.calendar_id == wanted.strip() or calendar.name.casefold() == wanted_folded:
            return calendar
    names = ", ".join(repr(c.name) for c in calendars) or "none"
    raise DomainError(f"no calendar called {wanted!r} on the server (there are: {names})")


def _plan_into(
    provider: Any, calendars: list[CalendarInfo], wanted: str | None, can_create: bool, time_zone: str
) -> tuple[CalendarInfo, bool]:
    if wanted:
        chosen = _match(calendars, wanted)
        if not chosen.writable:
            raise DomainError(
                f"the calendar {chosen.name!r} is read-only for you: choose another to plan into"
            )
        return chosen, False
    existing = [c for c in calendars if c.name.casefold() == GOALS_CALENDAR.casefold() and c.writable]
    if existing:
        return existing[0], False
    made = provider.create_calendar(GOALS_CALENDAR, time_zone) if can_create else None
    if made is None:
        names = ", ".join(repr(c.name) for c in calendars if c.writable) or "none"
        raise DomainError(
            "the server does not let netgoals create its own calendar: choose one to plan into "
            f"(--plan-into NAME; writable calendars: {names})"
        )
    made_info = CalendarInfo(made, GOALS_CALENDAR)
    calendars.append(made_info)
    return made_info, True


def _read(
    calendars: list[CalendarInfo], wanted: Sequence[str] | None, goals: CalendarInfo
) -> list[CalendarInfo]:
    """The calendars attended events are read from: the chosen ones, else every event calendar
    but the one planned into (its blocks are read anyway, for the person's moves and ✓)."""
    if wanted:
        chosen = [_match(calendars, name) for name in wanted]
        return [c for i, c in enumerate(chosen) if c not in chosen[:i] and c != goals]
    return [c for c in calendars if c.calendar_id != goals.calendar_id]


def disconnect(app: App, user_id: str) -> bool:
    """Forget the password and the sync state; history (and what was counted) stays."""
    with write_transaction(app.engine) as connection:
        found = caldav_store.account_of(connection, user_id)
        if found is None or found.status == "disconnected":
            return False
        caldav_store.update_account(
            connection,
            user_id,
            status="disconnected",
            sealed=None,
            detail=None,
            next_poll_at=None,
            updated_at=app.now().isoformat(),
        )
        caldav_store.forget(connection, user_id)
    now = app.now()
    app.decide_profile(user_id, lambda _p: [facts.calendar_disconnected("caldav", now)])
    return True


@dataclass(frozen=True, slots=True)
class Status:
    status: str  # not-connected, connected, reconnect-needed, error, disconnected
    detail: str | None = None
    server: str | None = None
    username: str | None = None
    calendars: tuple[tuple[str, str], ...] = ()  # (name, role)
    last_sync_at: str | None = None
    next_poll_at: datetime | None = None


def status(app: App, user_id: str) -> Status:
    with read_transaction(app.engine) as connection:
        found = caldav_store.account_of(connection, user_id)
        calendars = caldav_store.calendars_of(connection, user_id)
    if found is None:
        return Status("not-connected")
    poll = datetime.fromtimestamp(found.next_poll_at, UTC) if found.next_poll_at is not None else None
    return Status(
        found.status,
        found.detail,
        found.server_url,
        found.username,
        tuple((c.name, c.role) for c in calendars),
        found.last_sync_at,
        poll,
    )


def server_calendars(app: App, caldav: CalDAV, user_id: str) -> list[tuple[CalendarInfo, str | None]]:
    """The calendars on the server now, each with its role here (read, goals, or None)."""
    with read_transaction(app.engine) as connection:
        found = caldav_store.account_of(connection, user_id)
        kept = {c.calendar_id: c.role for c in caldav_store.calendars_of(connection, user_id)}
    if found is None or found.status == "disconnected":
        raise DomainError("no CalDAV calendar is connected: `netgoals caldav connect` first")
    provider = caldav.provider_of(app, found, app.profile(user_id).tz)
    try:
        listed = provider.connect().calendars
    except ProviderError as exc:
        raise DomainError(f"CalDAV: {exc}") from None
    return [(c, kept.get(c.calendar_id)) for c in listed]
