"""POST one signed JSON body to a webhook URL and say what happened.

The signature is `X-Netgoals-Signature: sha256=<hex HMAC-SHA256 of the raw body>` with the person's
webhook secret. The body carries `sent_at` (and `X-Netgoals-Timestamp` repeats it), so a receiver
can refuse old replays: the timestamp is inside what is signed. `X-Netgoals-Delivery` names the
delivery; a receiver that keeps the ones it has seen never acts on one twice.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from integrations.outbound.body import read_capped
from integrations.outbound.guard import AddressRefusedError, Deadline, Guard, OutboundError, guarded_client

SIGNATURE_HEADER = "X-Netgoals-Signature"
TIMESTAMP_HEADER = "X-Netgoals-Timestamp"
DELIVERY_HEADER = "X-Netgoals-Delivery"
ANSWER_BYTES = 4096  # of the receiver's answer: read at most this much, then drop the connection
_HINT = " (NETGOALS_ALLOW_PRIVATE_TARGETS=1 allows it on a trusted network)"


@dataclass(frozen=True, slots=True)
class Outcome:
    delivered: bool
    detail: str
    permanent: bool = False  # retrying will not help (a refused address, a 4xx answer)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_target(url: str, *, allow_private: bool, timeout: float = 10.0) -> str | None:
    """Why this URL may not be called, or None: the address policy of every outbound call, checked
    when the webhook is configured. Every address the host resolves to must be public (a name that
    resolves to one public and one private address is refused too); the error does not say which
    address a name resolves to. `post` checks again, on the address it connects to."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return f"{url!r} is not an http(s) URL"
    if allow_private:
        return None
    try:
        httpx.URL(url)
    except httpx.InvalidURL as exc:
        return f"{url!r} is not a valid URL ({exc})"
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        Guard().addresses(parts.hostname, port, Deadline(timeout))
    except ValueError:
        return f"{url!r} has a bad port"
    except OutboundError as exc:
        return str(exc) + (_HINT if isinstance(exc, AddressRefusedError) else "")
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
    """POST within one overall deadline of `timeout` seconds (lookup, connect, sending, the answer's
    headers and its first few KB), to an address the policy allows — judged on the address
    connected to, at send time: a name may resolve elsewhere than when it was configured."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "netgoals-webhook/1",
        SIGNATURE_HEADER: signature(secret, body),
        TIMESTAMP_HEADER: str(timestamp),
        DELIVERY_HEADER: delivery_id,
    }
    host = urlsplit(url).hostname
    try:
        # Redirects are not followed (the client never does): the receiver is the URL given.
        with (
            guarded_client(Guard(allow_private), timeout) as client,
            client.stream("POST", url, content=body, headers=headers) as response,
        ):
            status = response.status_code
            read_capped(response, ANSWER_BYTES, truncate=True)  # the answer's body means nothing
    except AddressRefusedError as exc:
        return Outcome(False, f"{exc}{_HINT}", permanent=True)
    except OutboundError as exc:
        return Outcome(False, f"cannot reach {host}: {exc}")
    except httpx.TimeoutException:
        return Outcome(False, f"no answer from {host} within {timeout:g} s")
    except httpx.InvalidURL as exc:
        return Outcome(False, f"{url!r} is not a valid URL ({exc})", permanent=True)
    except httpx.HTTPError as exc:
        return Outcome(False, f"cannot reach {host}: {exc.__class__.__name__}")
    if 200 <= status < 300:
        return Outcome(True, f"delivered ({status})")
    if 300 <= status < 400:
        return Outcome(False, f"the webhook answered a redirect ({status}): not followed", True)
    permanent = 400 <= status < 500 and status not in (408, 429)
    return Outcome(False, f"the webhook answered {status}", permanent)
