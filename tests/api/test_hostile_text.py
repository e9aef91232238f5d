"""Text that cannot be encoded — a lone UTF-16 surrogate escaped in JSON, surrogates encoded as
UTF-8 bytes — is a 422 naming the problem on every JSON endpoint of a real server, the connection
stays open, and nothing is stored."""

from __future__ import annotations

import http.client
import json
import re
from pathlib import Path

import httpx
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


def _nested_vcards(depth: int) -> bytes:
    return ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\n" * depth + "END:VCARD\r\n" * depth).encode()


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (_nested_vcards(5000), "card 1 (line 1): components nested more than 2 deep (line 7)"),
        (
            b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
            b"Ann,Lee,,,Acme,CTO,\r\nBo\x00b,Ray,,,Acme,CEO,\r\n",
            "line 3: the name must not contain NUL characters",
        ),
        (
            b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nORG:Ac\x00me\r\nEND:VCARD\r\n",
            "card 1 (line 1): the organisation must not contain NUL characters",
        ),
    ],
    ids=["nested-vcards", "nul-in-csv", "nul-in-vcard"],
)
def test_a_hostile_contacts_file_is_422_naming_the_card_or_line(
    server: LiveServer, body: bytes, named: str
) -> None:
    """Not a 500: the same rule for text as the JSON API, and bounded work however deep the cards."""
    token = server.add_user(f"{hash(named) & 0xFFFF}@example.com")["token"]
    headers = {"Authorization": f"Bearer {token}"}
    answer = httpx.post(
        f"{server.base_url}/api/v1/contacts/import?dry_run=false", content=body, headers=headers, timeout=20
    )
    assert answer.status_code == 422, answer.text
    assert named in answer.json()["detail"][0]["msg"]
    assert httpx.get(f"{server.base_url}/api/v1/contacts", headers=headers).json() == []
