"""A CalDAV connection: its status, the answer to connecting, the server's calendars and a sync
asked for — one shape each for `/api/v1/caldav…` and `netgoals caldav … --json`."""

from __future__ import annotations

from pydantic import BaseModel

from domain.calendars.calendar_port import CalendarInfo
from service.caldav.connect import Connected, Status


class CalendarRoleOut(BaseModel):
    name: str
    role: str  # read (attended events) or goals (planned into)


class CalDAVStatusOut(BaseModel):
    status: str  # not-connected, connected, reconnect-needed, error, disconnected
    detail: str | None
    server: str | None
    username: str | None
    calendars: list[CalendarRoleOut]
    last_sync_at: str | None  # as stored (ISO)
    next_poll_at: str | None  # ISO

    @classmethod
    def of(cls, s: Status) -> CalDAVStatusOut:
        return cls(
            status=s.status,
            detail=s.detail,
            server=s.server,
            username=s.username,
            calendars=[CalendarRoleOut(name=n, role=r) for n, r in s.calendars],
            last_sync_at=s.last_sync_at,
            next_poll_at=s.next_poll_at.isoformat() if s.next_poll_at else None,
        )


class CalendarLinkOut(BaseModel):
    name: str
    url: str  # the calendar collection's URL

    @classmethod
    def of(cls, c: CalendarInfo) -> CalendarLinkOut:
        return cls(name=c.name, url=c.calendar_id)


class CalDAVConnectedOut(BaseModel):
    account: str
    plan_into: CalendarLinkOut
    read: list[CalendarLinkOut]
    created: bool  # netgoals made its own calendar to plan into

    @classmethod
    def of(cls, found: Connected) -> CalDAVConnectedOut:
        return cls(
            account=found.account,
            plan_into=CalendarLinkOut.of(found.plan_into),
            read=[CalendarLinkOut.of(c) for c in found.read],
            created=found.created,
        )


class ServerCalendarOut(BaseModel):
    name: str
    url: str
    writable: bool
    role: str | None  # read, goals, or None: not used

    @classmethod
    def of(cls, c: CalendarInfo, role: str | None) -> ServerCalendarOut:
        return cls(name=c.name, url=c.calendar_id, writable=c.writable, role=role)


class SyncRequestedOut(BaseModel):
    requested: bool  # false: nothing connected to sync
