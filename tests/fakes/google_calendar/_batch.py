"""`POST /batch/calendar/v3`: multipart/mixed batches as googleapiclient's BatchHttpRequest."""

from __future__ import annotations

import json
import time
from email.message import Message
from email.parser import BytesParser, Parser
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from ._util import JSON, google_error_body, random_alnum

if TYPE_CHECKING:
    from ._backend import Backend

MAX_BATCH = 1000


def _part_response(content_id: str | None, status: int, body: bytes) -> str:
    reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    lines = ["Content-Type: application/http"]
    if content_id:
        inner = content_id.strip()
        inner = inner[1:-1] if inner.startswith("<") and inner.endswith(">") else inner
        lines.append(f"Content-ID: <response-{inner}>")
    text = f"HTTP/1.1 {status} {reason}\r\n"
    if body:
        text += "Content-Type: application/json; charset=UTF-8\r\n"
    text += f"Content-Length: {len(body)}\r\n\r\n" + body.decode("utf-8")
    return "\r\n".join(lines) + "\r\n\r\n" + text


def handle_batch(
    fake: Backend, content_type: str, body: bytes, outer_headers: dict[str, str]
) -> tuple[int, str, bytes]:
    """Split a batch into its requests, run each through the API, join the answers."""
    from ._server import API_PREFIX, api_call

    if not content_type.lower().startswith("multipart/mixed"):
        error = google_error_body(400, "badRequest", "Batch requests must be multipart/mixed")
        return 400, "application/json; charset=UTF-8", json.dumps(error).encode()
    message = BytesParser().parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    parts = message.get_payload()
    if not isinstance(parts, list) or len(parts) > MAX_BATCH:
        error = google_error_body(400, "badRequest", "Invalid batch request")
        return 400, "application/json; charset=UTF-8", json.dumps(error).encode()
    answers = []
    for part in parts:
        if not isinstance(part, Message):
            continue
        raw = part.get_payload(decode=True)
        text = raw.decode("utf-8") if isinstance(raw, bytes) else str(part.get_payload())
        request_line, _, rest = text.lstrip().partition("\n")
        pieces = request_line.strip().split(" ")
        inner = Parser().parsestr(rest)
        headers = {k.lower(): v for k, v in inner.items()}
        if "authorization" not in headers and "authorization" in outer_headers:
            headers["authorization"] = outer_headers["authorization"]
        payload = inner.get_payload()
        inner_body = payload.encode("utf-8") if isinstance(payload, str) else b""
        data: JSON | None
        if len(pieces) < 2:
            status, data = 400, google_error_body(400, "badRequest", "Bad request line")
        else:
            method, target = pieces[0].upper(), urlsplit(pieces[1])
            query = parse_qs(target.query, keep_blank_values=True)
            fake.record_request(method, unquote(target.path), query)
            fault = fake.take_fault(method, unquote(target.path))
            if fault is not None and fault.delay:
                time.sleep(fault.delay)
            if fault is not None and fault.kind not in ("delay", "disconnect"):
                status, data = fault.status, fault.body
            elif target.path.startswith(API_PREFIX):
                status, _, answer = api_call(fake, method, target.path, query, headers, inner_body)
                data = answer
            else:
                status, data = 404, google_error_body(404, "notFound", "Not Found")
        encoded = json.dumps(data).encode() if data is not None else b""
        answers.append(_part_response(part.get("Content-ID"), status, encoded))
    boundary = "batch_" + random_alnum(24)
    out = "".join(f"--{boundary}\r\n{answer}\r\n" for answer in answers) + f"--{boundary}--\r\n"
    return 200, f"multipart/mixed; boundary={boundary}", out.encode("utf-8")
