"""POST one signed JSON body to a webhook URL and say what happened.

The signature is `X-Netgoals-Signature: sha256=<hex HMAC-SHA256 of the raw body>` with the person's
webhook secret. The body carries `sent_at` (and `X-Netgoals-Timestamp` repeats it), so a receiver
can refuse old replays: the timestamp is inside what is signed. `X-Netgoals-Delivery` names the
delivery; a receiver that keeps the ones it has seen never acts on one twice.
"""

from __future__ import annotations

import hashlib
import hmac
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from domain.addresses import is_public_address

SIGNATURE_HEADER = "X-Netgoals-Signature"
TIMESTAMP_HEADER = "X-Netgoals-Timestamp"
DELIVERY_HEADER = "X-Netgoals-Delivery"


@dataclass(frozen=True, slots=True)
class Outcome:
    delivered: bool
    detail: str
    permanent: bool = False  # retrying will not help (a refused address, a 4xx answer)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_target(url: str, *, allow_private: bool) -> str | None:
    """Why this URL may not be called, or None. Every address the host resolves to must be public
    (a name that resolves to one public and one private address is refused too)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return f"{url!r} is not an http(s) URL"
    if allow_private:
        return None
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as exc:
        return f"cannot resolve {parts.hostname}: {exc}"
    addresses = {str(info[4][0]) for info in infos}
    private = sorted(a for a in addresses if not is_public_address(a))
    if private:
        return (
            f"{parts.hostname} resolves to a private or local address ({private[0]}): refused "
            "(NETGOALS_ALLOW_PRIVATE_TARGETS=1 allows it on a trusted network)"
        )
    return None


def post(
    url: str,
    body: bytes,
    secret: str,
    *,
    timestamp: int,
    delivery_id: str,
    allow_private: bool,
    timeout: float = 10.0,
) -> Outcome:
    refused = check_target(url, allow_private=allow_private)
    if refused is not None:
        return Outcome(False, refused, permanent=True)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "netgoals-webhook/1",
        SIGNATURE_HEADER: signature(secret, body),
        TIMESTAMP_HEADER: str(timestamp),
        DELIVERY_HEADER: delivery_id,
    }
    try:
        # Redirects are not followed: one could lead to an address check_target refused.
        response = httpx.post(url, content=body, headers=headers, timeout=timeout, follow_redirects=False)
    except httpx.TimeoutException:
        return Outcome(False, f"no answer from {urlsplit(url).hostname} within {timeout:.0f} s")
    except httpx.HTTPError as exc:
        return Outcome(False, f"cannot reach {urlsplit(url).hostname}: {exc.__class__.__name__}")
    if 200 <= response.status_code < 300:
        return Outcome(True, f"delivered ({response.status_code})")
    if 300 <= response.status_code < 400:
        return Outcome(False, f"the webhook answered a redirect ({response.status_code}): not followed", True)
    permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 429)
    return Outcome(False, f"the webhook answered {response.status_code}", permanent)
