"""`netgoals status --user NAME`: the machinery as one account meets it — its Google Calendar (how
it stands, when it last synced, a sync waiting), what Google has still to be shown, and the iCal
sources it reads, with every time in the account's zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from integrations.storage import calendar_store as store
from integrations.storage.database import read_transaction
from service.app import App
from service.commands import NotFoundError


@dataclass(frozen=True, slots=True)
class SourceState:
    name: str
    status: str
    last_read: datetime | None


@dataclass(frozen=True, slots=True)
class AccountStatus:
    user_id: str
    handle: str
    zone: ZoneInfo
    calendar: str | None = None  # connected, error, reconnect-needed, ...; None: not connected
    last_synced_at: datetime | None = None
    sync_requested_at: datetime | None = None
    outbox_rows: int = 0
    sources: list[SourceState] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def moment(at: datetime | None) -> str | None:
            return at.astimezone(self.zone).isoformat() if at else None  # with the zone's offset

        return {
            "user_id": self.user_id,
            "handle": self.handle,
            "timezone": self.zone.key,
            "calendar": self.calendar,
            "last_synced_at": moment(self.last_synced_at),
            "sync_requested_at": moment(self.sync_requested_at),
            "outbox_pending_rows": self.outbox_rows,
            "sources": [
                {"name": s.name, "status": s.status, "last_read": moment(s.last_read)} for s in self.sources
            ],
        }


def _at(seconds: float | None) -> datetime | None:
    return datetime.fromtimestamp(seconds, UTC) if seconds is not None else None


def _stored(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)  # stored naive: UTC


def zone_for(app: App, user: str | None) -> ZoneInfo | None:
    """The zone an account's times are shown in; None when there is no such account."""
    try:
        return ZoneInfo(app.user(user).timezone) if user else None
    except NotFoundError:
        return None


def account_status(app: App, handle_or_id: str) -> AccountStatus:
    """One account's view; an unknown account is NotFoundError (naming it)."""
    from service import ical  # the iCal stack loads only for an account's status

    user = app.user(handle_or_id)
    with read_transaction(app.engine) as connection:
        mine = [c for c in store.calendars(connection) if c.user_id == user.user_id]
        outbox = store.pending_outbox(connection).get(user.user_id, 0)
    calendar = mine[0] if mine else None
    sources = [
        SourceState(
            s.display,
            s.last_status,
            _stored(s.last_fetched_at) if s.last_fetched_at else None,
        )
        for s in ical.list_sources(app, user.user_id)
    ]
    return AccountStatus(
        user.user_id,
        user.handle,
        ZoneInfo(user.timezone),
        calendar.status if calendar else None,
        _at(calendar.last_synced_at) if calendar else None,
        _at(calendar.sync_requested) if calendar else None,
        outbox,
        sources,
    )
