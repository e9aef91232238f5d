"""What an import may append: each new line decided against what the store holds now, as a command
would be (issue 21: one uploaded registration with another user's handle wedged the users view).

- A line whose event id the store holds is skipped when it is that very event (re-importing one's
  own export appends nothing), and refused when the store holds something else under that id.
- A person's import (`owner`) takes only a person's own facts (`domain.event_types.events.EVENT_ORIGINS`):
  never a registration, a handle claim, a connection, a delivery channel or the service's records.
- Every new line continues its stream from the store's version; ids of goals, contacts, aspirations
  and actions may not name one the account already has; a change needs the thing it changes.
- The operator's restore (the CLI, no owner) may carry registrations and handle claims, but a
  registration needs its handle claimed for that same user, and a user registers once.
Every refusal names the line; the caller appends nothing then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain import decisions
from domain.errors import DomainError
from domain.event_types import events as ev
from domain.event_types.events import NewEvent, RecordedEvent, user_of_stream
from domain.event_types.fold import LogFold, UserFold
from domain.event_types.reading import MalformedPayloadError, check_payload
from domain.people.next_answers import answer_from_event
from service.app import App

_NOT_YOURS = {
    ev.IDENTITY: "an account's registration and handle are made only by signing up",
    ev.CONNECTION: "connections and where updates go are set only through their own settings",
    ev.SERVICE: "the service records these itself",
}
# Which stream each kind of fact lives in (a fact in another stream would be folded as nothing).
_STREAM_TYPES = {
    "user": ev.PROFILE_EVENT_TYPES | ev.CALENDAR_EVENT_TYPES,
    "actions": ev.ACTION_EVENT_TYPES | ev.PLAN_EVENT_TYPES | ev.UPDATE_EVENT_TYPES | ev.NEXT_EVENT_TYPES,
}
_FOLD_ERRORS = (KeyError, ValueError, TypeError, AttributeError, LookupError)


@dataclass(frozen=True, slots=True)
class Line:
    number: int
    stream_id: str
    version: int
    user_id: str | None  # whose claim a handle.claimed line is
    event: NewEvent

    @property
    def owner(self) -> str | None:
        return user_of_stream(self.stream_id) or self.user_id


def new_lines(app: App, lines: list[Line], owner: str | None) -> list[Line]:
    """The lines to append (those the store does not hold yet), or a DomainError naming a line."""
    stored = app.store.by_ids(line.event.event_id for line in lines)
    fresh = [line for line in lines if not _already_there(line, stored.get(line.event.event_id))]
    if owner is not None:
        for line in fresh:
            origin = ev.EVENT_ORIGINS.get(line.event.type)  # unclassified: not a person's either
            if origin != ev.PERSON:
                why = _NOT_YOURS.get(origin or "", "only a person's own facts can be")
                raise DomainError(f"line {line.number}: {line.event.type} cannot be imported: {why}")
    for line in fresh:  # readers index a type's required keys: a line without one is refused
        try:
            check_payload(line.event.type, line.event.data)
        except MalformedPayloadError as exc:
            raise DomainError(f"line {line.number}: {exc}") from None
    _check_versions(app, fresh)
    _check_against_state(app, fresh)
    return fresh


def _already_there(line: Line, stored: RecordedEvent | None) -> bool:
    if stored is None:
        return False
    same = (stored.stream_id, stored.version, stored.type, stored.data) == (
        line.stream_id,
        line.version,
        line.event.type,
        line.event.data,
    )
    if not same:
        raise DomainError(
            f"line {line.number}: event {line.event.event_id} is already in the store as another event"
        )
    return True


def _check_versions(app: App, lines: list[Line]) -> None:
    """Each new line is its stream's next version: what the store holds, then the file's lines."""
    at: dict[str, int] = {}
    for line in lines:
        current = at.get(line.stream_id)
        if current is None:
            current = app.store.stream_version(line.stream_id)
        if line.version != current + 1:
            raise DomainError(
                f"line {line.number}: {line.stream_id} is at version {current}, "
                f"so this line's version must be {current + 1}, not {line.version}"
            )
        at[line.stream_id] = line.version


def _check_against_state(app: App, lines: list[Line]) -> None:
    """Fold the accounts' events as the store holds them, then the new lines one by one, each
    checked as its command would be against the state before it."""
    fold = LogFold()
    held_actions: dict[str, set[str]] = {}
    for user_id in sorted({u for line in lines if (u := line.owner) is not None}):
        _fold_stored(fold, app.store.read_all(user_id=user_id))
        held_actions[user_id] = set(fold.user(user_id).actions)
    claims = {
        line.stream_id: line.event.data.get("user_id")
        for line in lines
        if line.event.type == ev.HANDLE_CLAIMED
    }
    for line in lines:
        _check_line(app, fold, line, held_actions, claims)
        try:
            fold.apply(line.stream_id, line.event.type, line.event.data)
        except _FOLD_ERRORS as exc:
            raise DomainError(f"line {line.number}: {line.event.type} payload is invalid ({exc!r})") from None
    for user_id, user in fold.users.items():
        try:
            user.counts()
        except _FOLD_ERRORS as exc:
            raise DomainError(
                f"the file's events for {user_id} do not fold into progress ({exc!r})"
            ) from None


def _fold_stored(fold: LogFold, recorded: Iterable[RecordedEvent]) -> None:
    for event in recorded:
        fold.position = event.position
        try:
            fold.apply(event.stream_id, event.type, event.data)
        except _FOLD_ERRORS:
            continue  # the projections quarantine it; the file's lines are judged without it


def _check_line(
    app: App, fold: LogFold, line: Line, held_actions: dict[str, set[str]], claims: dict[str, Any]
) -> None:
    data, event_type, number = line.event.data, line.event.type, line.number
    if event_type == ev.HANDLE_CLAIMED:
        _check_claim(line)
        return
    user_id = user_of_stream(line.stream_id)
    kind = line.stream_id.partition("-")[0]
    if user_id is None or event_type not in _STREAM_TYPES.get(kind, ()):
        raise DomainError(f"line {number}: {event_type} does not belong in {line.stream_id}")
    user = fold.user(user_id)
    if event_type == ev.USER_REGISTERED:
        _check_registration(app, line, user, claims)
        return
    if not user.profile.registered:
        raise DomainError(f"line {number}: {event_type} for an account that is not registered")
    if not isinstance(data, dict):
        raise DomainError(f"line {number}: data must be an object")
    if event_type == ev.USER_SETTINGS_CHANGED:
        _check_settings(line, user)
    if event_type == ev.NEXT_ANSWERED:
        try:
            answer_from_event(data)
        except DomainError as exc:
            raise DomainError(f"line {number}: {event_type}: {exc}") from None
    if event_type == ev.ACTION_DONE and data.get("action_id") in held_actions.get(user_id, set()):
        raise DomainError(f"line {number}: action {data.get('action_id')} is already another logged action")
    _check_ids(number, event_type, data, user)


# (type) -> (the payload field naming the thing, which of the profile's collections, new or changed)
_IDS: dict[str, tuple[str, str, bool]] = {
    ev.GOAL_SET: ("goal_id", "goals", True),
    ev.GOAL_REVISED: ("goal_id", "goals", False),
    ev.GOAL_PREFERENCES_SET: ("goal_id", "goals", False),
    ev.GOAL_LINKED: ("goal_id", "goals", False),
    ev.GOAL_PAUSED: ("goal_id", "goals", False),
    ev.GOAL_RESUMED: ("goal_id", "goals", False),
    ev.GOAL_ARCHIVED: ("goal_id", "goals", False),
    ev.CONTACT_ADDED: ("contact_id", "contacts", True),
    ev.CONTACT_UPDATED: ("contact_id", "contacts", False),
    ev.ASPIRATION_ADDED: ("aspiration_id", "aspirations", True),
    ev.ASPIRATION_UPDATED: ("aspiration_id", "aspirations", False),
}


def _check_ids(number: int, event_type: str, data: dict[str, Any], user: UserFold) -> None:
    known = _IDS.get(event_type)
    if known is None:
        return
    field, collection, new = known
    thing = field.removesuffix("_id")
    identifier = data.get(field)
    held = getattr(user.profile, collection)
    if not isinstance(identifier, str):
        raise DomainError(f"line {number}: {event_type} needs a {field}")
    if new and identifier in held:
        raise DomainError(f"line {number}: {thing} {identifier} already belongs to another {thing}")
    if not new and identifier not in held:
        raise DomainError(f"line {number}: there is no {thing} {identifier} to change")


def _check_settings(line: Line, user: UserFold) -> None:
    """The settings command's own checks (a time zone that exists, a budget in range)."""
    data = line.event.data
    try:
        decisions.change_settings(
            user.profile,
            datetime.fromisoformat(str(data.get("at"))),
            timezone=data.get("timezone"),
            week_start=data.get("week_start"),
            weekly_budget=data.get("weekly_budget"),
            offers=data.get("offers"),
            daily_at=_daily_text(data),
        )
    except (DomainError, ValueError, TypeError, AttributeError) as exc:
        raise DomainError(f"line {line.number}: {line.event.type}: {exc}") from None


def _daily_text(data: dict[str, Any]) -> str | None:
    """A settings payload's daily time as the command takes it (null in the log means off)."""
    if "daily_at" not in data:
        return None
    return "off" if data["daily_at"] is None else str(data["daily_at"])


def _check_claim(line: Line) -> None:
    handle, user_id = line.event.data.get("handle"), line.event.data.get("user_id")
    if (
        not isinstance(handle, str)
        or ev.handle_stream(handle) != line.stream_id
        or not isinstance(user_id, str)
    ):
        raise DomainError(f"line {line.number}: a handle claim must name its stream's handle and a user")


def _check_registration(app: App, line: Line, user: UserFold, claims: dict[str, Any]) -> None:
    if user.profile.registered:
        raise DomainError(f"line {line.number}: user.registered for an account that is already registered")
    handle = line.event.data.get("handle")
    if not isinstance(handle, str) or not handle:
        raise DomainError(f"line {line.number}: user.registered needs a handle")
    stream = ev.handle_stream(handle)
    claimed = app.store.read_stream(stream)
    holder = claimed[0].data.get("user_id") if claimed else claims.get(stream)
    if holder != user.profile.user_id:
        raise DomainError(
            f"line {line.number}: the handle {handle!r} is not claimed for this account"
            + (" (another account holds it)" if holder is not None else "")
        )
