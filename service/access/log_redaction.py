"""Capabilities never reach a log line: one rule for every record of the process.

A capability is a secret that is the whole credential: the feed's URL, a signed confirm link, an
unsubscribe or address-confirmation link, OAuth's code and state, a token someone put in a query
string. They arrive in paths and query strings, and a log line (uvicorn's access log, an error
naming the request's path, a worker's JSON line) would keep them for whoever reads the logs.

`install()` wraps the process's log-record factory, so every record of every logger is scrubbed
when it is made, before any handler or formatter sees it — a filter on one logger would miss the
records of its children and of the root's handlers. The arguments keep their shape (uvicorn's
access formatter unpacks them); only their text changes.

Paths are matched as the router sees them: percent-decoded (`/feeds/TOKEN%2Eics` is served as
`/feeds/TOKEN.ics`) and in any case.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import parse_qsl, unquote

REDACTED: Final = "[redacted]"
# Routes whose path after the prefix is the credential.
CAPABILITY_PATHS: Final = ("/feeds/", "/confirm/")
# Routes whose whole query string is a credential (OAuth's answer carries code and state; the signed
# links carry their token).
SECRET_QUERY_PATHS: Final = ("/oauth/google/callback", "/updates/unsubscribe", "/updates/confirm-email")
# Query parameters that are secrets on any path (a sign-in token pasted into a URL, say).
SECRET_PARAMETERS: Final = frozenset(
    {"token", "code", "state", "key", "secret", "password", "signature", "sig", "auth",
     "access_token", "refresh_token", "id_token", "client_secret", "api_key", "apikey"}
)  # fmt: skip
# A word that could be a path, a URL or a query string: text up to whitespace or a quote.
_WORD = re.compile(r"[^\s\"'<>]*[/?&=%][^\s\"'<>]*")
_PATH_CAPABILITY = re.compile("|".join(re.escape(p) for p in CAPABILITY_PATHS), re.IGNORECASE)


def _redact_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(name.strip().lower() in SECRET_PARAMETERS for name, _ in pairs):
        return query
    parts = query.split("&")
    kept = []
    for part in parts:
        name = unquote(part.partition("=")[0].replace("+", " ")).strip().lower()
        kept.append(f"{part.partition('=')[0]}={REDACTED}" if name in SECRET_PARAMETERS else part)
    return "&".join(kept)


def _redact_word(word: str) -> str:
    plain = unquote(unquote(word))  # what the router sees, and one more layer for good measure
    found = _PATH_CAPABILITY.search(plain)
    if found:  # everything after the prefix goes, a query string included: it may hold more of it
        return plain[: found.end()] + REDACTED
    path, sep, query = word.partition("?")
    if not sep and "=" in word and "/" not in word:
        path, query = "", word  # a bare query string
    elif not sep:
        return word
    if unquote(path).rstrip("/").lower().endswith(SECRET_QUERY_PATHS) and query:
        return f"{path}?{REDACTED}"
    return f"{path}{sep}{_redact_query(query)}"


def redact(text: str) -> str:
    """`text` with every capability it holds replaced by [redacted]."""
    if not any(c in text for c in "/?=%"):
        return text  # the fast path: most log lines hold no path
    return _WORD.sub(lambda m: _redact_word(m.group()), text)


def _redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


def _redact_record(record: logging.LogRecord) -> None:
    args = record.args
    if isinstance(record.msg, str) and not args:  # with arguments, msg is our own format string
        record.msg = redact(record.msg)
    if isinstance(args, tuple):
        record.args = tuple(_redact_value(a) for a in args)
    elif isinstance(args, dict):
        record.args = {k: _redact_value(v) for k, v in args.items()}


class _RedactingFactory:
    """The record factory, wrapped: scrubs each record as it is made."""

    def __init__(self, wrapped: Callable[..., logging.LogRecord]) -> None:
        self.wrapped = wrapped

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.wrapped(*args, **kwargs)
        _redact_record(record)
        return record


def install() -> None:
    """Scrub every log record of this process from now on (installing twice changes nothing)."""
    current = logging.getLogRecordFactory()
    if not isinstance(current, _RedactingFactory):
        logging.setLogRecordFactory(_RedactingFactory(current))
