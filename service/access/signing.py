"""Signed links: a link that carries its own proof (HMAC-SHA256 with a key derived from the server's
secret), bound to a purpose, a user and the fields it acts on, and expiring. A GET of such a link
only shows a page; the POST from that page acts (mail scanners open links, and must never act).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from domain.errors import DomainError
from service.access import keys


class BadLinkError(DomainError):
    """A link that was tampered with, has expired, or was made for something else."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, purpose: str, fields: dict[str, Any], expires_at: float) -> str:
    body = _b64(json.dumps({"p": purpose, "f": fields, "e": int(expires_at)}, sort_keys=True).encode())
    mac = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def verify(key: bytes, purpose: str, token: str, now: float) -> dict[str, Any]:
    """The fields of a valid token; BadLinkError (saying why, never echoing the token) otherwise."""
    body, _, mac = token.partition(".")
    try:
        expected = hmac.new(key, body.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(mac)):
            raise BadLinkError("this link is not valid: it was changed or made by another server")
        data = json.loads(_unb64(body))
    except (ValueError, TypeError):
        raise BadLinkError("this link is not valid: it is incomplete") from None
    if data.get("p") != purpose:
        raise BadLinkError("this link is for something else")
    if float(data.get("e", 0)) < now:
        raise BadLinkError("this link has expired")
    fields: dict[str, Any] = data.get("f", {})
    return fields


def derive_key(secret: str, purpose: str) -> bytes:
    """A key of its own for signing, derived from the server's secret (`service/access/keys.py`)."""
    return keys.derived_key(secret, f"netgoals/signing/{purpose}/".encode())
