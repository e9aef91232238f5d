"""Text that cannot be encoded — a lone UTF-16 surrogate escaped in JSON, surrogates encoded as
UTF-8 bytes — is a 422 naming the problem on every JSON endpoint of a real server, the connection
stays open, and nothing is stored."""

from __future__ import annotations

import http.client
import json
import re
from pathlib import Path

import pytest

from tests.api.live import LiveServer, live_server

HOSTILE = (
    b'{"name": "\\ud800"}',  # the probe's body: a lone high surrogate
    b'{"text": "ok \\udc00 ok", "template": "monthly-event"}',  # a lone low one beside valid fields
    b'{"\\ud83d": 1}',  # in a key
    b'{"name": "\xed\xa0\x80"}',  # the same surrogate as (invalid) UTF-8 bytes
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> LiveServer:
    home: Path = tmp_path_factory.mktemp("hostile")
    with live_server(home) as running:
        yield running  # type: ignore[misc]


def _json_operations(connection: http.client.HTTPConnection) -> list[tuple[str, str]]:
    connection.request("GET", "/openapi.json")
    document = json.loads(connection.getresponse().read())
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                # Any id will do: the body is refused before routing.
                found.append(
                    (method.upper(), re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000000", path))
                )
    return found


def test_unencodable_text_is_422_on_every_json_endpoint(server: LiveServer) -> None:
    token = server.add_user("ann@example.com")["token"]
    host, port = server.base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    operations = _json_operations(connection)
    assert len(operations) >= 8  # aspirations, goals, contacts, actions and their changes
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for method, path in operations:
        for body in HOSTILE:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            text = answer.read().decode()
            assert answer.status == 422, (method, path, body, answer.status, text)
            assert "surrogate" in text or "UTF-8" in text
            assert not answer.will_close, (method, path)  # the same connection carries on
    connection.request("GET", "/api/v1/contacts", headers=headers)
    answer = connection.getresponse()
    assert answer.status == 200
    assert json.loads(answer.read()) == []  # nothing was stored
    connection.close()
