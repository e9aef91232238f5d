"""Query-parameter validation against the discovery document shipped with googleapiclient."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from ._util import JSON, bad_request

SCOPE_PREFIX = "https://www.googleapis.com/auth/"


@cache
def discovery_document() -> JSON:
    path = resources.files("googleapiclient") / "discovery_cache/documents/calendar.v3.json"
    document: JSON = json.loads(path.read_text(encoding="utf-8"))
    return document


def _method(method_id: str) -> JSON:
    """`method_id` like "events.list" (resource.method)."""
    resource, name = method_id.split(".")
    method: JSON = discovery_document()["resources"][resource]["methods"][name]
    return method


def method_scopes(method_id: str) -> frozenset[str]:
    """The short scope names (without the URL prefix) that allow a method."""
    return frozenset(s.removeprefix(SCOPE_PREFIX) for s in _method(method_id).get("scopes", []))


def all_scopes() -> frozenset[str]:
    return frozenset(discovery_document()["auth"]["oauth2"]["scopes"])


def _check_value(name: str, spec: JSON, value: str) -> Any:
    kind = spec.get("type", "string")
    if kind == "integer":
        try:
            number = int(value)
        except ValueError:
            raise bad_request(f"Invalid value '{value}' for {name}.", "invalid") from None
        if "minimum" in spec and number < int(spec["minimum"]):
            raise bad_request(f"Invalid value '{value}' for {name}.", "invalid")
        if "maximum" in spec and number > int(spec["maximum"]):
            raise bad_request(f"Invalid value '{value}' for {name}.", "invalid")
        return number
    if kind == "boolean":
        if value not in ("true", "false"):
            raise bad_request(f"Invalid value '{value}' for {name}.", "invalid")
        return value == "true"
    if "enum" in spec and value not in spec["enum"]:
        raise bad_request(f"Invalid value '{value}' for {name}.", "invalid")
    return value


def validate_query(method_id: str, query: dict[str, list[str]]) -> dict[str, Any]:
    """Check every query parameter of a request: unknown names, repetition, types, enums.

    Returns the parameters converted to Python values (a list for repeated ones).
    """
    specs: dict[str, JSON] = dict(discovery_document()["parameters"])
    for name, spec in _method(method_id).get("parameters", {}).items():
        if spec.get("location") == "query":
            specs[name] = spec
    result: dict[str, Any] = {}
    for name, values in query.items():
        spec = specs.get(name)
        if spec is None:
            raise bad_request(
                f'Invalid JSON payload received. Unknown name "{name}": '
                f"Cannot bind query parameter. Field '{name}' could not be found in request "
                "message.",
                "badRequest",
            )
        if spec.get("repeated"):
            result[name] = [_check_value(name, spec, v) for v in values]
        else:
            if len(values) > 1:
                raise bad_request(f"Parameter {name} must not be repeated.", "badRequest")
            result[name] = _check_value(name, spec, values[0])
    return result
