"""Typed events: every event type the code names has a payload type and a constructor; what each
constructor builds is a payload of its type; every event a run of the service appends reads back
through the checked reader; and an import line without a required key is refused, naming it."""

from __future__ import annotations

import ast
import inspect
import json
import tempfile
import typing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from domain.errors import DomainError
from domain.event_types import events as ev
from domain.event_types import facts
from domain.event_types.reading import (
    MalformedPayloadError,
    check_payload,
    known_keys,
    parse_event,
    required_keys,
)
from integrations.storage.database import make_engine
from integrations.storage.migrate import upgrade
from service.app import App
from service.operations import archive
from tests.conftest import FixedClock
from tests.integration.scenario import Step, run, steps

ROOT = Path(__file__).resolve().parents[2]
CODE = ("domain", "service", "integrations", "api", "cli", "worker")
TYPE_NAMES = {
    name for name, value in vars(ev).items() if isinstance(value, str) and value in ev.ALL_EVENT_TYPES
}
NOW = datetime(2026, 11, 28, 10, tzinfo=UTC)


def _named_types() -> set[str]:
    """Every event type constant the code refers to (`ev.ACTION_DONE`, or imported by name)."""
    found: set[str] = set()
    for folder in CODE:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Attribute) and node.attr in TYPE_NAMES:
                    found.add(getattr(ev, node.attr))
                elif isinstance(node, ast.ImportFrom) and node.module == "domain.event_types.events":
                    found |= {getattr(ev, a.name) for a in node.names if a.name in TYPE_NAMES}
    return found


def test_every_event_type_has_a_payload_type_and_a_constructor() -> None:
    named = _named_types()
    assert ev.ACTION_DONE in named and len(named) >= 25  # the scan found the code's types at all
    assert named <= ev.ALL_EVENT_TYPES
    assert set(facts.PAYLOADS) == set(ev.ALL_EVENT_TYPES), "add a payload type in payloads.py"
    assert set(facts.CONSTRUCTORS) == set(ev.ALL_EVENT_TYPES), "add a constructor in facts.py"


def test_optional_keys_are_read_as_optional() -> None:
    """payloads.py must not use string annotations: they would make every key look required."""
    assert required_keys(ev.ACTION_DONE) == {"action_id", "kind", "at", "contact_ids"}
    assert {"title", "calendar_event", "confirmed_via"} <= known_keys(ev.ACTION_DONE)


def _sample(annotation: Any) -> Any:
    """A value of a constructor's parameter type, with every optional key of a TypedDict given."""
    if typing.is_typeddict(annotation):
        hints = typing.get_type_hints(annotation)
        return {key: _sample(hint) for key, hint in hints.items()}
    origin = typing.get_origin(annotation)
    if origin is typing.NotRequired or origin is typing.Required:
        return _sample(typing.get_args(annotation)[0])
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is tuple:
        return tuple(_sample(a) for a in args)
    if origin in (list, typing.get_origin(typing.Sequence[str])) or annotation is list:
        return [_sample(args[0])] if args else ["x"]
    if args and origin is not None and origin is not list:  # X | None: give the X
        return _sample(args[0])
    return {str: "x", int: 1, bool: True, datetime: NOW, date: NOW.date()}[annotation]


@pytest.mark.parametrize("event_type", sorted(ev.ALL_EVENT_TYPES))
def test_each_constructor_builds_a_payload_of_its_type(event_type: str) -> None:
    constructor = facts.CONSTRUCTORS[event_type]
    hints = typing.get_type_hints(constructor)
    parameters = inspect.signature(constructor).parameters
    full = {name: _sample(hints[name]) for name in parameters}
    least = {
        name: value for name, value in full.items() if parameters[name].default is inspect.Parameter.empty
    }
    for arguments in (full, least):
        event = constructor(**arguments)
        assert event.type == event_type
        check_payload(event_type, event.data)
        assert event.data.keys() <= known_keys(event_type), "a key the payload type does not declare"
        json.dumps(event.data)  # stored as JSON


def test_the_checked_reader_names_a_missing_key() -> None:
    with pytest.raises(MalformedPayloadError, match=r"action\.done: the payload lacks action_id, kind"):
        parse_event(ev.ACTION_DONE, {"at": NOW.isoformat(), "contact_ids": []})
    with pytest.raises(MalformedPayloadError, match="unknown event type"):
        parse_event("action.teleported", {})


def _app(folder: str, clock: FixedClock) -> App:
    engine = make_engine(f"sqlite:///{Path(folder) / 'store.db'}")
    upgrade(engine)
    return App(engine, clock)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_every_event_the_service_appends_reads_back_as_its_payload_type(scenario: list[Step]) -> None:
    clock = FixedClock(NOW)
    with tempfile.TemporaryDirectory() as folder:
        app = _app(folder, clock)
        run(app, clock, scenario)
        recorded = app.store.read_all()
        assert recorded
        for event in recorded:
            parse_event(event.type, event.data)
            assert event.data.keys() <= known_keys(event.type), f"{event.type}: undeclared keys"
        app.close()


def test_an_import_line_without_a_required_key_is_refused_naming_it() -> None:
    clock = FixedClock(NOW)
    with tempfile.TemporaryDirectory() as folder:
        app = _app(folder, clock)
        line = {
            "event_id": "0b0e3c1e-9b8f-4a57-9c55-2f3f6c1c9d10",
            "stream_id": "actions-0b0e3c1e-9b8f-4a57-9c55-2f3f6c1c9d11",
            "version": 1,
            "type": ev.ACTION_DONE,
            "schema_version": ev.CURRENT_SCHEMA_VERSION,
            "data": {"action_id": "a1", "at": NOW.isoformat(), "contact_ids": []},
        }
        head = app.store.head_position()
        with pytest.raises(DomainError, match=r"^line 1: action.done: the payload lacks kind$"):
            archive.import_lines(app, [json.dumps(line)])
        assert app.store.head_position() == head  # nothing appended
        app.close()


LATER = datetime(2026, 11, 30, 9, tzinfo=UTC)
# What the calendar and update writers logged when they built their payloads by hand, key for key
# and in order (the stored JSON): the constructors that replaced them must build the same.
LOGGED: list[tuple[Any, list[tuple[str, Any]]]] = [
    (
        facts.action_planned("a1", "g1", "reach-out", NOW, LATER, "Reach out", ["c1"], NOW),
        [
            ("action_id", "a1"),
            ("goal_id", "g1"),
            ("kind", "reach-out"),
            ("start", NOW.isoformat()),
            ("end", LATER.isoformat()),
            ("title", "Reach out"),
            ("contact_ids", ["c1"]),
            ("at", NOW.isoformat()),
        ],
    ),
    (
        facts.action_rescheduled("a1", NOW, LATER, "netgoals", NOW, reason="busy"),
        [
            ("action_id", "a1"),
            ("start", NOW.isoformat()),
            ("end", LATER.isoformat()),
            ("by", "netgoals"),
            ("reason", "busy"),
            ("at", NOW.isoformat()),
        ],
    ),
    (
        facts.action_rescheduled("a1", NOW, LATER, "user", NOW),
        [
            ("action_id", "a1"),
            ("start", NOW.isoformat()),
            ("end", LATER.isoformat()),
            ("by", "user"),
            ("at", NOW.isoformat()),
        ],
    ),
    (
        facts.action_skipped("a1", "deleted in your calendar", "user", NOW),
        [
            ("action_id", "a1"),
            ("reason", "deleted in your calendar"),
            ("by", "user"),
            ("at", NOW.isoformat()),
        ],
    ),
    (
        facts.calendar_connected("caldav", "Goals", NOW),
        [("provider", "caldav"), ("calendar", "Goals"), ("at", NOW.isoformat())],
    ),
    (facts.calendar_disconnected("caldav", NOW), [("provider", "caldav"), ("at", NOW.isoformat())]),
    (
        facts.update_decided("d1", "k1", "goal-met", "email", "Done", NOW),
        [
            ("delivery_id", "d1"),
            ("key", "k1"),
            ("kind", "goal-met"),
            ("channel", "email"),
            ("subject", "Done"),
            ("at", NOW.isoformat()),
        ],
    ),
    (
        facts.update_failed("d1", "k1", "goal-met", "email", "refused", NOW),
        [
            ("delivery_id", "d1"),
            ("key", "k1"),
            ("kind", "goal-met"),
            ("channel", "email"),
            ("detail", "refused"),
            ("at", NOW.isoformat()),
        ],
    ),
]


@pytest.mark.parametrize(("event", "logged"), LOGGED)
def test_the_constructors_lay_out_payloads_as_the_logs_hold_them(
    event: Any, logged: list[tuple[str, Any]]
) -> None:
    assert list(event.data.items()) == logged
