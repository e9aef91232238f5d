"""Every event type says who makes it: a person's import takes only a person's own facts
(service/operations/import_rules.py), so a new type must be classified on purpose, not by default."""

from __future__ import annotations

import re

from domain.event_types import events as ev

_TYPE_NAME = re.compile(r"^[a-z]+\.[a-z-]+$")


def _declared_types() -> set[str]:
    """Every event type the module names, found from its constants, not from its own lists."""
    return {
        value
        for name, value in vars(ev).items()
        if name.isupper() and isinstance(value, str) and _TYPE_NAME.match(value)
    }


def test_every_event_type_is_classified() -> None:
    declared = _declared_types()
    assert len(declared) >= 27  # the module's constants were found at all
    unclassified = declared - set(ev.EVENT_ORIGINS)
    assert not unclassified, (
        f"classify these in domain.event_types.events.EVENT_ORIGINS: {sorted(unclassified)}"
    )
    assert set(ev.EVENT_ORIGINS) == set(ev.ALL_EVENT_TYPES)
    assert set(ev.EVENT_ORIGINS.values()) <= {ev.PERSON, ev.IDENTITY, ev.CONNECTION, ev.SERVICE}


def test_identity_and_connection_facts_are_never_a_persons_to_import() -> None:
    for event_type in (ev.USER_REGISTERED, ev.HANDLE_CLAIMED, ev.CALENDAR_CONNECTED, ev.USER_UPDATES_SET):
        assert event_type not in ev.PERSON_EVENT_TYPES
