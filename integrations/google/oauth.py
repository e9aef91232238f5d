"""Google OAuth 2.0 with google-auth-oauthlib: consent URL with state and PKCE, code exchange,
credentials, revocation, and a one-shot loopback receiver for the command line.

Scopes (the minimal set that works):
- `calendar.app.created`: make and manage the "Networking goals" calendar netgoals creates;
- `calendar.events.owned.readonly`: read the events of the primary calendar (attendance);
- `calendar.events.freebusy`: free/busy of the primary calendar for planning — neither of the two
  above grants `freebusy.query`, and this scope reveals only busy intervals, no event details.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

SCOPE_PREFIX = "https://www.googleapis.com/auth/"
SCOPES = (
    SCOPE_PREFIX + "calendar.app.created",
    SCOPE_PREFIX + "calendar.events.owned.readonly",
    SCOPE_PREFIX + "calendar.events.freebusy",
)
_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


class OAuthError(RuntimeError):
    """The consent or the code exchange failed; the message is safe to show (no secrets)."""


@dataclass(frozen=True, slots=True)
class GoogleEndpoints:
    client_id: str
    client_secret: str
    auth_uri: str
    token_uri: str
    revoke_uri: str
    api_url: str
    batch_uri: str

    def client_config(self) -> dict[str, Any]:
        return {
            "web": {
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "auth_uri": self.auth_uri,
                "token_uri": self.token_uri,
            }
        }

    @property
    def local(self) -> bool:
        """All Google addresses are plain http on this machine (the fake)."""
        urls = (self.auth_uri, self.token_uri, self.revoke_uri, self.api_url)
        return all(urlsplit(u).scheme == "http" and urlsplit(u).hostname in _LOOPBACK for u in urls)


# These libraries log whole token answers (access and refresh tokens) at DEBUG: never let them.
_TOKEN_LOGGING_LIBRARIES = ("requests_oauthlib", "oauthlib", "google_auth_oauthlib")


def prepare_environment(endpoints: GoogleEndpoints) -> None:
    """oauthlib refuses http:// unless told otherwise: allow it only for a fake on loopback.
    `include_granted_scopes` may answer more scopes than asked: don't treat that as an error.
    Silence the DEBUG logging of OAuth libraries, which prints tokens (invariant 8)."""
    for name in _TOKEN_LOGGING_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    if endpoints.local:
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"  # noqa: S105 - a flag


def _flow(endpoints: GoogleEndpoints, redirect_uri: str, code_verifier: str | None = None) -> Any:
    from google_auth_oauthlib.flow import Flow

    prepare_environment(endpoints)
    return Flow.from_client_config(
        endpoints.client_config(),
        scopes=list(SCOPES),
        redirect_uri=redirect_uri,
        code_verifier=code_verifier,
        autogenerate_code_verifier=code_verifier is None,
    )


@dataclass(frozen=True, slots=True)
class Consent:
    url: str
    state: str
    code_verifier: str


def consent(endpoints: GoogleEndpoints, redirect_uri: str, login_hint: str | None = None) -> Consent:
    """The consent URL: offline access (a refresh token), PKCE, and prompt=consent because Google
    issues a refresh token only on the first consent otherwise."""
    flow = _flow(endpoints, redirect_uri)
    extra = {"login_hint": login_hint} if login_hint else {}
    url, state = flow.authorization_url(
        access_type="offline", include_granted_scopes="true", prompt="consent", **extra
    )
    return Consent(url, state, flow.code_verifier)


def exchange(endpoints: GoogleEndpoints, redirect_uri: str, code: str, code_verifier: str) -> dict[str, Any]:
    """Trade the authorization code for tokens (same redirect URI and PKCE verifier)."""
    flow = _flow(endpoints, redirect_uri, code_verifier)
    try:
        flow.fetch_token(code=code)
    except Exception as exc:  # oauthlib raises many kinds; none carries a token
        raise OAuthError(f"Google refused the authorization code ({type(exc).__name__})") from None
    return tokens_of(flow.credentials)


def tokens_of(credentials: Any) -> dict[str, Any]:
    expiry = credentials.expiry
    return {
        "token": credentials.token,
        "refresh_token": credentials.refresh_token,
        "expiry": expiry.replace(tzinfo=UTC).isoformat() if expiry is not None else None,
        "scopes": sorted(credentials.granted_scopes or credentials.scopes or SCOPES),
    }


def credentials(endpoints: GoogleEndpoints, tokens: dict[str, Any]) -> Any:
    from google.oauth2.credentials import Credentials

    expiry = tokens.get("expiry")
    return Credentials(  # type: ignore[no-untyped-call]
        token=tokens.get("token"),
        refresh_token=tokens.get("refresh_token"),
        token_uri=endpoints.token_uri,
        client_id=endpoints.client_id,
        client_secret=endpoints.client_secret,
        scopes=tokens.get("scopes") or list(SCOPES),
        # google-auth compares expiry with a naive UTC clock
        expiry=datetime.fromisoformat(expiry).astimezone(UTC).replace(tzinfo=None) if expiry else None,
    )


def revoke(endpoints: GoogleEndpoints, tokens: dict[str, Any], timeout: float = 10.0) -> bool:
    """Revoke the grant at Google; True when Google confirmed (an already revoked grant is fine)."""
    token = tokens.get("refresh_token") or tokens.get("token")
    if not token:
        return False
    try:
        answer = requests.post(
            endpoints.revoke_uri,
            data={"token": token},
            headers={"content-type": "application/x-www-form-urlencoded"},
            timeout=timeout,
        )
    except requests.RequestException:
        return False
    return answer.status_code == 200


class LoopbackReceiver:
    """A one-shot HTTP server on 127.0.0.1 that receives the OAuth redirect (installed-app flow)."""

    def __init__(self, path: str = "/oauth/google/callback") -> None:
        self.path = path
        self.params: dict[str, str] | None = None
        self._got = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != receiver.path:
                    self.send_error(404)
                    return
                receiver.params = dict(parse_qsl(parts.query))
                body = b"<p>netgoals: you can close this window and go back to the terminal.</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                receiver._got.set()

            def log_message(self, format: str, *args: Any) -> None:  # never log the code
                pass

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.path}"

    def __enter__(self) -> LoopbackReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait(self, timeout: float) -> dict[str, str]:
        if not self._got.wait(timeout):
            raise OAuthError(f"no answer from the browser within {timeout:.0f} seconds")
        assert self.params is not None
        return self.params
