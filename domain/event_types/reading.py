"""A checked reader: an event's payload as its TypedDict, or an error naming what is missing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.errors import DomainError
from domain.event_types.facts import PAYLOADS


class MalformedPayloadError(DomainError):
    """An event's payload lacks a key its type requires (or has the wrong kind of value there)."""


def required_keys(event_type: str) -> frozenset[str]:
    return frozenset(getattr(PAYLOADS[event_type], "__required_keys__", frozenset()))


def known_keys(event_type: str) -> frozenset[str]:
    payload = PAYLOADS[event_type]
    return frozenset(getattr(payload, "__required_keys__", ())) | frozenset(
        getattr(payload, "__optional_keys__", ())
    )


def check_payload(event_type: str, data: Mapping[str, Any]) -> None:
    """Raise `MalformedPayloadError` when `data` is not a payload of `event_type`."""
    if event_type not in PAYLOADS:
        raise MalformedPayloadError(f"unknown event type {event_type!r}")
    if not isinstance(data, Mapping):
        raise MalformedPayloadError(f"{event_type}: the payload is not an object")
    missing = required_keys(event_type) - data.keys()
    if missing:
        raise MalformedPayloadError(f"{event_type}: the payload lacks {', '.join(sorted(missing))}")


def parse_event(event_type: str, data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The payload, checked: every key its type requires is there."""
    check_payload(event_type, data)
    return data
