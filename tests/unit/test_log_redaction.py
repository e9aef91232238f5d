"""No capability reaches a log line, however its path is written (`service/access/log_redaction.py`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.access import log_redaction
from service.access.log_redaction import redact

URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
TOKEN = st.text(alphabet=URL_SAFE, min_size=12, max_size=60)


def _percent(text: str, which: list[bool]) -> str:
    """`text` with the characters `which` picks written as %XX, upper or lower hex."""
    out = []
    for i, c in enumerate(text):
        pick = which[i % len(which)] if which else False
        out.append(f"%{ord(c):02X}" if pick and i % 2 else f"%{ord(c):02x}" if pick else c)
    return "".join(out)


@st.composite
def capability_paths(draw: st.DrawFn) -> tuple[str, str]:
    token = draw(TOKEN)
    form = draw(
        st.sampled_from(
            [
                "/feeds/{t}.ics",
                "/feeds/{t}.ICS",
                "/FEEDS/{t}.ics",
                "/feeds/{t}.ics?x=1",
                "/confirm/{t}",
                "/updates/unsubscribe?token={t}",
                "/updates/confirm-email?token={t}",
                "/oauth/google/callback?state={t}&code=c",
                "/signin?email=a%40b.c&token={t}",
                "/healthz?TOKEN={t}",
                "https://goals.example/feeds/{t}.ics",
            ]
        )
    )
    path = form.format(t=token)
    # Percent-encode some characters of the path part (the router decodes them): %2E, %2F, %66...
    head, sep, query = path.partition("?")
    scheme, _, rest = head.rpartition("://")
    which = draw(st.lists(st.booleans(), max_size=8))
    rest = "/" + _percent(rest[1:], which) if not scheme else rest
    return token, (f"{scheme}://" if scheme else "") + rest + sep + query


@settings(max_examples=300, deadline=None)
@given(capability_paths())
def test_no_capability_survives_in_any_spelling(found: tuple[str, str]) -> None:
    token, path = found
    for line in (path, f'127.0.0.1:5 - "GET {path} HTTP/1.1" 200', json.dumps({"url": path})):
        assert token not in unquote(redact(line)), line  # nor in its encoded spelling


def test_what_is_not_a_capability_stays() -> None:
    for line in ("GET /healthz?probe=kept", "/api/v1/goals/abc", "50% done", "user 1234 signed in"):
        assert redact(line) == line
    assert redact("/feeds/abc%2Eics") == "/feeds/[redacted]"
    assert redact("/signin?email=a%40b.c&token=xyz") == "/signin?email=a%40b.c&token=[redacted]"


@pytest.fixture
def installed() -> Iterator[None]:
    before = logging.getLogRecordFactory()
    log_redaction.install()
    log_redaction.install()  # twice wraps once
    yield
    logging.setLogRecordFactory(before)


def test_every_logger_of_the_process_is_scrubbed(installed: None, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    logging.getLogger("netgoals.api").error("unhandled error on %s %s", "GET", "/confirm/SECRET-confirm")
    logging.getLogger("netgoals.tasks").info(json.dumps({"path": "/feeds/SECRET-feed%2Eics"}))
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", "/updates/unsubscribe?token=SECRET-unsub", "1.1", 200
    )
    logging.getLogger("other").warning("%(u)s", {"u": "/feeds/SECRET-dict.ics"})
    assert "SECRET" not in caplog.text
    assert caplog.text.count("[redacted]") == 4
