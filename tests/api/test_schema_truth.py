"""The OpenAPI document says what the server does (the mismatches schemathesis found): text the
server needs is non-empty in the schema, years outside 1970-2200 are outside the schema, a date
is only YYYY-MM-DD, and a wrong method is 405 with an Allow header naming every method."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import GOOGLE_ROUTERS, ROUTERS, create_app
from api.security import documented_methods
from service.settings import Settings
from tests.api.conftest import User


def _component(document: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"][name]
    return found


def _type(field: dict[str, Any]) -> dict[str, Any]:
    """The non-null alternative of an optional field."""
    for option in field.get("anyOf", [field]):
        if option.get("type") != "null":
            return option
    raise AssertionError(field)


def test_required_text_is_non_empty_in_the_schema_and_refused_empty(client: TestClient, ann: User) -> None:
    document = client.get("/openapi.json").json()
    for component, field, path, body in (
        ("ContactIn", "name", "/api/v1/contacts", {"name": ""}),
        ("AspirationIn", "text", "/api/v1/aspirations", {"text": " "}),
        ("ActionIn", "action", "/api/v1/actions", {"action": ""}),
    ):
        schema = _type(_component(document, component)["properties"][field])
        assert schema.get("minLength", 0) >= 1 or "pattern" in schema, (component, field, schema)
        assert re.search(schema["pattern"], str(body[field])) is None  # outside the schema...
        assert client.post(path, json=body, headers=ann.headers).status_code == 422  # ...and refused
    goal = _component(document, "GoalIn")["properties"]
    assert re.search(_type(goal["template"])["pattern"], "") is None
    assert re.search(_type(goal["template"])["pattern"], "monthly-event")


def test_years_outside_the_servers_range_are_outside_the_schema(client: TestClient, ann: User) -> None:
    document = client.get("/openapi.json").json()
    at = _type(_component(document, "ActionIn")["properties"]["at"])
    [as_of] = [p for p in document["paths"]["/api/v1/progress"]["get"]["parameters"] if p["name"] == "as_of"]
    for schema in (at, _type(as_of["schema"])):
        assert re.search(schema["pattern"], "1969-12-31") is None
        assert re.search(schema["pattern"], "0001-01-01") is None
        assert re.search(schema["pattern"], "2026-11-20")
    old = {"action": "attend-event", "at": "1969-12-31T12:00:00+00:00"}
    assert client.post("/api/v1/actions", json=old, headers=ann.headers).status_code == 422


def test_a_date_is_only_a_date(client: TestClient, ann: User) -> None:
    for value in ("0", "1700000000", "2026-11-20T10:00:00"):
        answer = client.get("/api/v1/progress", params={"as_of": value}, headers=ann.headers)
        assert answer.status_code == 422, value
    assert (
        client.get("/api/v1/progress", params={"as_of": "2026-11-20"}, headers=ann.headers).status_code == 200
    )


def test_a_wrong_method_is_405_with_every_allowed_method(client: TestClient, ann: User) -> None:
    for method, path, allowed in (
        ("PATCH", "/api/v1/goals/templates", "GET"),  # not the 422 of /goals/{goal_id}
        ("DELETE", "/api/v1/goals", "GET, POST"),
        ("OPTIONS", "/api/v1/contacts", "GET, POST"),
        ("PUT", "/api/v1/contacts/00000000-0000-4000-8000-000000000000", "GET, PATCH"),
    ):
        answer = client.request(method, path, headers=ann.headers)
        assert answer.status_code == 405, (method, path, answer.text)
        assert answer.headers["allow"] == allowed, (method, path)


def _is_model(schema: dict[str, Any]) -> bool:
    """A named model (service/shapes/, api/schemas.py) or a list of one, not a free-form object."""
    return "$ref" in schema or (schema.get("type") == "array" and "$ref" in schema.get("items", {}))


def test_every_json_answer_under_api_v1_declares_its_model(tmp_path: Path) -> None:
    """Issue 25: every 2xx JSON answer of /api/v1 is a declared model, so clients and schemathesis
    check it (a 204 has no body; the export is NDJSON; /metrics and the webhook are not under
    /api/v1). Google configured, so its routes are in the document too."""
    web = create_app(Settings(home=tmp_path, google_client_id="id", google_client_secret="secret"))
    try:
        document = web.openapi()
    finally:
        web.state.netgoals.close()
    answers = {
        (method.upper(), path, code): answer.get("content", {})
        for path, item in document["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in item.items()
        for code, answer in operation["responses"].items()
        if code.startswith("2") and code != "204"
    }

    def ndjson(content: dict[str, Any]) -> bool:  # the export: one JSON value a line
        return list(content) == ["application/x-ndjson"]

    bare = [
        key
        for key, content in answers.items()
        if not ndjson(content) and not _is_model(content.get("application/json", {}).get("schema", {}))
    ]
    assert bare == [], "answers without a declared model"
    named = {
        key: content["application/json"]["schema"] for key, content in answers.items() if not ndjson(content)
    }
    for key, model in (
        (("POST", "/api/v1/sources/{source_id}/sync", "202"), "SourceQueuedOut"),
        (("POST", "/api/v1/sources/{source_id}/sync", "200"), "SourceReadOut"),  # an uploaded file
        (("POST", "/api/v1/sources/upload", "201"), "SourceReadOut"),
        (("GET", "/api/v1/google", "200"), "GoogleStatusOut"),
        (("GET", "/api/v1/google/sync", "200"), "CalendarSyncOut"),
        (("GET", "/api/v1/caldav", "200"), "CalDAVStatusOut"),
        (("PUT", "/api/v1/updates/preferences", "200"), "UpdatePreferencesOut"),
        (("POST", "/api/v1/me/rotate", "200"), "RotatedOut"),
    ):
        assert named[key] == {"$ref": f"#/components/schemas/{model}"}, key
    feeds = document["components"]["schemas"]["RotatedOut"]["properties"]["feeds"]
    assert feeds["items"] == {"$ref": "#/components/schemas/FeedLinksOut"}


def test_the_405_paths_are_the_openapi_documents(client: TestClient) -> None:
    """The 405 middleware reads the documented routes from the app (generating the document cost
    a fifth of a second of CPU per app): they are exactly the document's paths, with and without
    Google's routes."""
    app = client.app
    assert isinstance(app, FastAPI)
    expected = {
        template: frozenset(m.upper() for m in item if m != "parameters")
        for template, item in app.openapi()["paths"].items()
    }
    google = any(path.startswith("/api/v1/google") for path in expected)
    assert documented_methods(ROUTERS + (GOOGLE_ROUTERS if google else ())) == expected
