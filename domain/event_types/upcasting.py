"""Upcasters turn payloads written by an older schema version into the current shape on read.

Register one function per (type, from_version); reading applies the chain until the payload is at
the current version. No upcaster exists yet: version 1 is the first schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from domain.event_types import events as ev
from domain.event_types.events import CURRENT_SCHEMA_VERSION

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def register(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    def decorate(fn: Upcaster) -> Upcaster:
        _UPCASTERS[(event_type, from_version)] = fn
        return fn

    return decorate


def upcast(event_type: str, schema_version: int, data: dict[str, Any]) -> dict[str, Any]:
    version = schema_version
    while version < CURRENT_SCHEMA_VERSION:
        step = _UPCASTERS.get((event_type, version))
        if step is None:
            raise LookupError(f"no upcaster for {event_type} from schema version {version}")
        data = step(data)
        version += 1
    return data


def needs_upcasting(schema_version: int) -> bool:
    return schema_version != CURRENT_SCHEMA_VERSION


# The schema version each event type was first written at: reading must upcast every version from
# there to the current one (tests/unit/test_event_readers.py checks the chain is complete). A new
# type is listed here with the version it starts at.
FIRST_VERSIONS: Final = {
    ev.USER_REGISTERED: 1,
    ev.USER_SETTINGS_CHANGED: 1,
    ev.HANDLE_CLAIMED: 1,
    ev.ASPIRATION_ADDED: 1,
    ev.ASPIRATION_UPDATED: 1,
    ev.GOAL_SET: 1,
    ev.GOAL_REVISED: 1,
    ev.GOAL_PREFERENCES_SET: 1,
    ev.GOAL_LINKED: 1,
    ev.GOAL_PAUSED: 1,
    ev.GOAL_RESUMED: 1,
    ev.GOAL_ARCHIVED: 1,
    ev.CONTACT_ADDED: 1,
    ev.CONTACT_UPDATED: 1,
    ev.ACTION_DONE: 1,
    ev.ACTION_RETRACTED: 1,
    ev.ACTION_PLANNED: 1,
    ev.ACTION_RESCHEDULED: 1,
    ev.ACTION_SKIPPED: 1,
    ev.ACTION_FULFILLED: 1,
    ev.CONFIRMATION_ADOPTED: 1,
    ev.CALENDAR_CONNECTED: 1,
    ev.CALENDAR_DISCONNECTED: 1,
    ev.USER_UPDATES_SET: 1,
    ev.USER_UPDATES_EMAIL_CONFIRMED: 1,
    ev.NEXT_ANSWERED: 1,
    ev.UPDATE_DECIDED: 1,
    ev.UPDATE_DELIVERED: 1,
    ev.UPDATE_FAILED: 1,
}


def reading() -> dict[str, str]:
    """How reading upcasts each type: handled when the chain from its first version is complete."""
    return {
        t: ev.HANDLED
        for t, first in FIRST_VERSIONS.items()
        if all((t, v) in _UPCASTERS for v in range(first, CURRENT_SCHEMA_VERSION))
    }
