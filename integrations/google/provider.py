"""Google Calendar behind the calendar port (`domain.calendars.calendar_port`), over `GoogleCalendar`.

The Google use cases (`service/google/`) keep calling `GoogleCalendar` directly, with their
behaviour and tests unchanged; this adapter is how Google takes the provider contract suite and
how a use case written against the port drives Google. Differences the contract allows:

- changes: Google's sync token; a 410 falls back to a full listing by itself (`full=True`);
  deleted events come back as cancelled events, so `removed` stays empty;
- writes: client-chosen ids (the block's UID); Google's API has no If-Match on our client, so a
  write is last-writer-wins and the pull, which runs first in every sync, is what notices the
  person's edits (a move, a delete, a ✓);
- free time: freeBusy on the primary calendar;
- freshness: push channels, with polling as the safety net.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from domain.calendars import calendar_port as port
from domain.calendars.attendance import CalendarEvent
from integrations.google.calendar import (
    GoogleCalendar,
    GoogleError,
    GoogleNotFoundError,
    QuotaExceededError,
    ReconnectNeededError,
    SyncTokenExpiredError,
    parse_event,
)

POLL_SECONDS = 15 * 60.0
T = TypeVar("T")


@contextmanager
def _mapped() -> Iterator[None]:
    """Google's errors as the port's (their messages are already safe to show)."""
    try:
        yield
    except ReconnectNeededError as exc:
        raise port.ReconnectNeededError(str(exc)) from None
    except QuotaExceededError as exc:
        raise port.RateLimitedError(str(exc)) from None
    except GoogleNotFoundError as exc:
        raise port.CalendarGoneError(str(exc)) from None
    except GoogleError as exc:
        raise port.ProviderError(str(exc)) from None


class GoogleProvider:
    name = "google"

    def __init__(self, client: GoogleCalendar) -> None:
        self.client = client
        self._made: dict[str, str] = {}  # name -> id of the calendars made through this provider

    def _call(self, work: Callable[[], T]) -> T:
        with _mapped():
            return work()

    def _listed(self) -> list[tuple[str, str]]:
        """The calendars the grant may list, and the ones this provider made: netgoals' minimal
        scopes do not allow listing (403), and the use cases keep the id of the calendar they made."""
        from googleapiclient.errors import HttpError

        try:
            listed = self.client.calendars()
        except (GoogleError, HttpError):
            listed = []
        return listed + [(i, name) for name, i in self._made.items() if (i, name) not in listed]

    def connect(self) -> port.Connected:
        found = [port.CalendarInfo("primary", "primary")]
        found += [port.CalendarInfo(i, name) for i, name in self._listed() if i != "primary"]
        return port.Connected("primary", tuple(found), can_create=True)

    def create_calendar(self, name: str, time_zone: str) -> str | None:
        known = [i for i, summary in self._listed() if summary == name]
        if known:
            return known[0]  # made by an earlier try: a retried connect finds it
        about = "Time for your networking goals."
        made = self._call(lambda: self.client.create_calendar(name, time_zone, about))
        self._made[name] = made
        return made

    def busy(self, calendar_ids: Sequence[str], start: datetime, end: datetime) -> list[port.BusyInterval]:
        ids = tuple(calendar_ids) or ("primary",)
        found = self._call(lambda: self.client.busy(start, end, ids))
        return [port.BusyInterval(b, e) for b, e in found]

    def changes(self, calendar_id: str, state: str | None) -> port.Changes:
        found = self._listing(calendar_id, state)
        if found is None and state is not None:
            found = self._listing(calendar_id, None)  # 410: the token is gone, list everything
        if found is None:
            raise port.ProviderError("Google refused a full listing of the calendar")
        return found

    def _listing(self, calendar_id: str, state: str | None) -> port.Changes | None:
        """The changes since `state`, or None when Google no longer accepts it (410)."""
        events: list[CalendarEvent] = []
        token = state
        with _mapped():
            try:
                for page in self.client.list_events(calendar_id, state):
                    events.extend(parse_event(calendar_id, item, page.time_zone) for item in page.items)
                    token = page.next_sync_token or token
            except SyncTokenExpiredError:
                return None
        return port.Changes(events, (), token, full=state is None, touched=[e.event_id for e in events])

    def put_block(self, calendar_id: str, block: port.Block, version: str | None) -> port.WriteResult:
        body = _body(block)
        if version is None:
            inserted = self._call(lambda: self.client.insert_event(calendar_id, body))
            if inserted == "exists":  # the id is taken: an earlier try got through (or was deleted)
                return port.WriteResult(port.WriteOutcome.CONFLICT, "google")
            return port.WriteResult(port.WriteOutcome.WRITTEN, "google")
        patched = self._call(lambda: self.client.patch_event(calendar_id, block.uid, body))
        outcome = port.WriteOutcome.GONE if patched == "gone" else port.WriteOutcome.WRITTEN
        return port.WriteResult(outcome, "google")

    def delete_block(self, calendar_id: str, uid: str, version: str | None) -> port.WriteResult:
        try:
            deleted = self._call(lambda: self.client.delete_event(calendar_id, uid))
        except port.CalendarGoneError:
            if self._call(lambda: self.client.calendar_exists(calendar_id)):
                return port.WriteResult(port.WriteOutcome.GONE)
            raise
        return port.WriteResult(port.WriteOutcome.GONE if deleted == "gone" else port.WriteOutcome.WRITTEN)

    def freshness(self) -> port.Freshness:
        return port.Freshness(push=True, poll_seconds=POLL_SECONDS)


def _body(block: port.Block) -> dict[str, Any]:
    private = {"netgoals": "1", "netgoals_action": block.action_id, "netgoals_goal": block.goal_id or ""}
    return {
        "id": block.uid,
        "summary": block.title,
        "description": block.description,
        "start": {"dateTime": block.start.isoformat(), "timeZone": block.time_zone},
        "end": {"dateTime": block.end.isoformat(), "timeZone": block.time_zone},
        "transparency": "opaque",
        "extendedProperties": {"private": private},
    }
