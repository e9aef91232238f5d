"""Every outbound call has one overall deadline and a cap on what it reads, whatever the server
does: drip the headers or the body a byte at a time (each byte well inside a per-read timeout),
flood, or unpack a gzip bomb. Both callers — the calendar fetcher and the webhook sender — go
through the same guarded client; each case runs against both, on real sockets on loopback.

The deadline cases measure the wall clock against a bound ten times the deadline: the servers
drip for 30 s, which is what an unbounded read would take."""

from __future__ import annotations

import time
import tracemalloc
import zlib

import pytest

from integrations.ical.fetch import Fetcher, FetchError
from integrations.webhooks import sender
from tests.outbound.hostile import (
    Behaviour,
    drip_body,
    drip_headers,
    encoded,
    flood,
    gzip_bomb,
    hostile_server,
)

DEADLINE = 1.0


def _fetch(url: str, max_bytes: int = 1024 * 1024) -> str:
    with pytest.raises(FetchError) as failed:
        Fetcher(allow_private=True, timeout=DEADLINE, max_bytes=max_bytes).fetch(url)
    return str(failed.value)


def _post(url: str) -> sender.Outcome:
    return sender.post(
        url, b'{"a": 1}', "secret", timestamp=1, delivery_id="d1", allow_private=True, timeout=DEADLINE
    )


@pytest.mark.parametrize("behaviour", [drip_headers(), drip_body()], ids=["headers", "body"])
def test_a_dripping_server_cannot_hold_a_fetch_past_its_deadline(behaviour: Behaviour) -> None:
    with hostile_server(behaviour) as server:
        started = time.monotonic()
        error = _fetch(server.url("/cal.ics"))
        took = time.monotonic() - started
    assert "did not answer within 1 seconds" in error
    assert took < 10 * DEADLINE, f"held for {took:.1f} s"


@pytest.mark.parametrize("behaviour", [drip_headers(), drip_body()], ids=["headers", "body"])
def test_a_dripping_receiver_cannot_hold_a_webhook_past_its_deadline(behaviour: Behaviour) -> None:
    with hostile_server(behaviour) as server:
        started = time.monotonic()
        outcome = _post(server.url("/hook"))
        took = time.monotonic() - started
    assert not outcome.delivered and not outcome.permanent
    assert outcome.detail == "no answer from 127.0.0.1 within 1 s"
    assert took < 10 * DEADLINE, f"held for {took:.1f} s"


def test_a_webhook_answer_is_read_a_few_kilobytes_deep_then_dropped() -> None:
    # 200 MB of answer: the sender takes at most a few KB of it; what the server got into the
    # socket is bounded by the kernel's buffers, not by the answer.
    with hostile_server(flood(200 * 1024 * 1024)) as server:
        outcome = _post(server.url("/hook"))
        time.sleep(0.2)  # let the server notice the closed connection
        sent = server.sent
    assert outcome.delivered and outcome.detail == "delivered (200)"
    assert sent < 32 * 1024 * 1024, f"the server sent {sent:,} bytes"


def test_a_flood_stops_a_fetch_at_its_limit() -> None:
    with hostile_server(flood(200 * 1024 * 1024)) as server:
        error = _fetch(server.url("/cal.ics"))
        time.sleep(0.2)
        sent = server.sent
    assert "over the 1,048,576-byte limit" in error
    assert sent < 32 * 1024 * 1024, f"the server sent {sent:,} bytes"


def test_a_gzip_bomb_is_counted_as_it_is_decoded() -> None:
    # 200 MB of zeros in about 200 kB of gzip, against a 1 MB limit: decoded output is counted a
    # bounded slice at a time, so the peak stays near the limit (a whole network read decoded
    # first would be tens of MB).
    with hostile_server(gzip_bomb(200 * 1024 * 1024)) as server:
        tracemalloc.start()
        try:
            error = _fetch(server.url("/cal.ics"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert "over the 1,048,576-byte limit" in error
    assert peak < 8 * 1024 * 1024, f"peak {peak:,} bytes"


def test_a_small_gzip_body_under_the_limit_is_read_whole() -> None:
    with hostile_server(gzip_bomb(900 * 1024)) as server:
        fetched = Fetcher(allow_private=True, timeout=5, max_bytes=1024 * 1024).fetch(server.url("/c.ics"))
    assert fetched.body == b"\0" * (900 * 1024)
    assert b"accept-encoding: gzip, deflate" in server.requests[0].lower()


CALENDAR = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n" * 100


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("deflate", zlib.compress(CALENDAR)),
        ("deflate", _raw_deflate(CALENDAR)),  # what some servers send as "deflate"
        ("identity", CALENDAR),
    ],
    ids=["zlib", "raw-deflate", "identity"],
)
def test_each_encoding_asked_for_is_decoded(encoding: str, body: bytes) -> None:
    with hostile_server(encoded(body, encoding)) as server:
        fetched = Fetcher(allow_private=True, timeout=5).fetch(server.url("/c.ics"))
    assert fetched.body == CALENDAR


@pytest.mark.parametrize(
    ("encoding", "body", "words"),
    [
        ("br", b"\x8b\x00", "unsupported content encoding 'br'"),
        ("gzip", b"not gzip at all", "gzip encoding is broken"),
    ],
)
def test_an_encoding_that_cannot_be_read_is_a_clear_error(encoding: str, body: bytes, words: str) -> None:
    with hostile_server(encoded(body, encoding)) as server:
        assert words in _fetch(server.url("/c.ics"))
