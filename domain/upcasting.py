"""Upcasters turn payloads written by an older schema version into the current shape on read.

Register one function per (type, from_version); reading applies the chain until the payload is at
the current version. No upcaster exists yet: version 1 is the first schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.events import CURRENT_SCHEMA_VERSION

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
