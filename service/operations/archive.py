"""Use cases: export the log as JSON Lines, import it (all or nothing), rebuild projections."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, Final, TextIO
from uuid import UUID

from domain.errors import ConcurrencyError, DomainError
from domain.event_types import events as ev
from domain.event_types.events import ALL_EVENT_TYPES, CURRENT_SCHEMA_VERSION, NewEvent, RecordedEvent
from domain.event_types.upcasting import upcast
from integrations.storage.event_store import StreamAppend
from integrations.storage.projection import ProgressCallback
from service.app import App
from service.operations.import_rules import Line, new_lines

_STREAM = re.compile(r"^(user|actions)-[0-9a-f-]{36}$|^handle-\S{1,254}$")
_FIELDS = ("event_id", "stream_id", "version", "type", "schema_version", "data")


def export_lines(app: App, user_id: str | None) -> Iterator[str]:
    """One JSON object per event in log order; a user's export includes the claim of their handle."""
    for event in app.store.read_all(user_id=user_id):
        yield json.dumps(_exported(event), ensure_ascii=False, separators=(",", ":"))


def _exported(event: RecordedEvent) -> dict[str, Any]:
    return {
        "event_id": str(event.event_id),
        "stream_id": event.stream_id,
        "version": event.version,
        "type": event.type,
        "schema_version": event.schema_version,
        "data": event.data,
        "recorded_at": event.recorded_at,
    }


def _parse(number: int, text: str) -> Line:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DomainError(f"line {number}: not JSON ({exc.msg})") from None
    if not isinstance(obj, dict):
        raise DomainError(f"line {number}: expected a JSON object")
    missing = [f for f in _FIELDS if f not in obj]
    if missing:
        raise DomainError(f"line {number}: missing {', '.join(missing)}")
    try:
        event_id = UUID(str(obj["event_id"]))
    except ValueError:
        raise DomainError(f"line {number}: event_id {obj['event_id']!r} is not a UUID") from None
    stream_id, event_type, version = obj["stream_id"], obj["type"], obj["version"]
    if not isinstance(stream_id, str) or not _STREAM.match(stream_id):
        raise DomainError(f"line {number}: unknown stream {stream_id!r}")
    if event_type not in ALL_EVENT_TYPES:
        raise DomainError(f"line {number}: unknown event type {event_type!r}")
    schema = obj["schema_version"]
    if not isinstance(schema, int) or not 1 <= schema <= CURRENT_SCHEMA_VERSION:
        raise DomainError(f"line {number}: unsupported schema version {schema!r}")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DomainError(f"line {number}: version must be a positive whole number")
    if not isinstance(obj["data"], dict):
        raise DomainError(f"line {number}: data must be an object")
    data = upcast(event_type, schema, obj["data"])
    user_id = data.get("user_id") if event_type == "handle.claimed" else None
    return Line(number, stream_id, version, user_id, NewEvent(event_id, event_type, data))


def _check_file(lines: list[Line]) -> None:
    """The file on its own: each stream's lines are consecutive versions."""
    expected: dict[str, int] = {}
    for line in lines:
        want = expected.get(line.stream_id, line.version)
        if line.version != want:
            raise DomainError(f"line {line.number}: {line.stream_id} version {line.version}, expected {want}")
        expected[line.stream_id] = line.version + 1


def import_lines(app: App, source: Iterable[str], owner: str | None = None) -> int:
    """Append the file's new events in one transaction, or none (service/operations/import_rules.py says
    which): events the store already holds are skipped, so importing the same file twice appends
    nothing. With `owner`, what a person uploads on the web: every line must be that user's own,
    and only a person's own facts. Without, the operator's restore (the CLI)."""
    lines = [_parse(n, text) for n, text in enumerate(source, start=1) if text.strip()]
    if owner is not None:
        for line in lines:
            if line.owner != owner:
                raise DomainError(
                    f"line {line.number}: it belongs to another account; import only your own export"
                )
    _check_file(lines)
    runs: list[StreamAppend] = []
    for line in new_lines(app, lines, owner):  # consecutive events of one stream go together
        if runs and runs[-1].stream_id == line.stream_id:
            runs[-1].events.append(line.event)  # type: ignore[attr-defined]
        else:
            runs.append(StreamAppend(line.stream_id, line.version - 1, [line.event], user_id=line.user_id))
    try:
        appended = app.store.append(*runs)
    except ConcurrencyError as exc:
        raise DomainError(
            f"the store changed while the file was checked; nothing was imported ({exc})"
        ) from None
    app.projection.catch_up()
    return appended


def import_file(app: App, handle: TextIO) -> int:
    return import_lines(app, handle)


def rebuild(app: App, on_progress: ProgressCallback | None = None) -> int:
    return app.projection.rebuild(on_progress)


# How export and import read each event type (tests/unit/test_event_readers.py): every event is
# exported as the log holds it; on import each is checked by folding it as a rebuild does
# (domain.event_types.fold), so a payload the projections could not read is refused with its line.
EVENT_READING: Final = ev.reading(
    handled=(
        ev.USER_REGISTERED,
        ev.USER_SETTINGS_CHANGED,
        ev.HANDLE_CLAIMED,
        ev.ASPIRATION_ADDED,
        ev.ASPIRATION_UPDATED,
        ev.GOAL_SET,
        ev.GOAL_REVISED,
        ev.GOAL_PREFERENCES_SET,
        ev.GOAL_LINKED,
        ev.GOAL_PAUSED,
        ev.GOAL_RESUMED,
        ev.GOAL_ARCHIVED,
        ev.CONTACT_ADDED,
        ev.CONTACT_UPDATED,
        ev.ACTION_DONE,
        ev.ACTION_RETRACTED,
        ev.ACTION_PLANNED,
        ev.ACTION_RESCHEDULED,
        ev.ACTION_SKIPPED,
        ev.ACTION_FULFILLED,
        ev.CONFIRMATION_ADOPTED,
        ev.CALENDAR_CONNECTED,
        ev.CALENDAR_DISCONNECTED,
        ev.USER_UPDATES_SET,
        ev.USER_UPDATES_EMAIL_CONFIRMED,
        ev.NEXT_ANSWERED,
        ev.UPDATE_DECIDED,
        ev.UPDATE_DELIVERED,
        ev.UPDATE_FAILED,
    ),
    ignored=(),
)
