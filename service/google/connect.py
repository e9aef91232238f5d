"""Connecting Google Calendar (OAuth with PKCE, in the browser or through a loopback redirect),
disconnecting it, and the connection's status.

Secrets (invariant 8): tokens and PKCE verifiers are sealed with the vault before they touch the
database; the log only says that a calendar was connected.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from domain.errors import DomainError
from domain.event_types import facts
from integrations.google import oauth as google_oauth
from integrations.google.calendar import GoogleError
from integrations.google.oauth import OAuthError
from integrations.storage import calendar_store as store
from integrations.storage.database import read_transaction, write_transaction
from service.access import keys
from service.app import App
from service.google.context import Google
from service.google.ids import GOALS_CALENDAR

log = logging.getLogger("netgoals.google")


@dataclass(frozen=True, slots=True)
class Browser:
    """Who brought Google's answer back to the web callback: the dashboard session of that browser
    (None when it is not signed in)."""

    user_id: str | None
    session_id: str | None = None


LOOPBACK = "loopback"  # the CLI's own one-shot receiver on 127.0.0.1 brought the answer


def begin_connect(
    app: App,
    google: Google,
    user_id: str,
    redirect_uri: str | None = None,
    *,
    session_id: str | None = None,
    loopback: bool = False,
) -> str:
    """The Google consent URL for this user (state and PKCE verifier are kept, sealed).

    The state is bound to whoever may finish the flow, so a consent URL sent to someone else
    links nothing: the dashboard session that started it (`session_id`), the CLI's loopback
    receiver (`loopback`), or else — a flow started through the API — a dashboard session of the
    same user.
    """
    app.profile(user_id)
    redirect_uri = redirect_uri or google.callback_url
    consent = google_oauth.consent(google.endpoints, redirect_uri)
    if loopback:
        binding = {"kind": LOOPBACK}
    elif session_id is not None:
        binding = {"kind": "session", "session": keys.token_hash(session_id)}
    else:
        binding = {"kind": "user"}
    sealed = google.vault.seal(
        {"code_verifier": consent.code_verifier, "redirect_uri": redirect_uri, "binding": binding}
    )
    with write_transaction(app.engine) as connection:
        store.add_state(connection, keys.token_hash(consent.state), user_id, sealed, app.now().timestamp())
    return consent.url


def _finisher_allowed(binding: dict[str, str], user_id: str, finisher: Browser | str) -> bool:
    if finisher == LOOPBACK or binding.get("kind") == LOOPBACK:
        return finisher == LOOPBACK and binding.get("kind") == LOOPBACK
    assert isinstance(finisher, Browser)
    if finisher.user_id is None or not keys.same(finisher.user_id, user_id):
        return False
    if binding.get("kind") == "session":
        return keys.hash_matches(binding.get("session", ""), finisher.session_id or "")
    return binding.get("kind") == "user"


def complete_connect(
    app: App,
    google: Google,
    state: str,
    code: str | None,
    error: str | None = None,
    *,
    finisher: Browser | str,
) -> str:
    """The OAuth callback: take the state (once), check that the browser finishing the flow is
    the one it is bound to, exchange the code, keep the tokens sealed, ask for a first sync.
    Returns the user id. `finisher` is the browser at the web callback, or LOOPBACK."""
    now = app.now()
    with write_transaction(app.engine) as connection:
        found = store.take_state(connection, keys.token_hash(state or ""), now.timestamp())
    if found is None:
        raise DomainError("this Google sign-in expired or was already used: connect again")
    user_id, sealed = found
    kept = google.vault.open_sealed(sealed)
    if not _finisher_allowed(kept.get("binding") or {}, user_id, finisher):
        # Someone else's consent URL (or one finished in another browser): exchange nothing.
        raise DomainError(
            "this Google sign-in was started by another account or in another browser: sign in to "
            "the dashboard as yourself and connect again"
        )
    if error or not code:
        raise DomainError(f"Google did not connect the calendar ({error or 'no code'})")
    try:
        tokens = google_oauth.exchange(google.endpoints, kept["redirect_uri"], code, kept["code_verifier"])
    except OAuthError as exc:
        raise DomainError(str(exc)) from None
    if not tokens.get("refresh_token"):
        raise DomainError(
            "Google sent no refresh token; remove netgoals' access in your Google account and retry"
        )
    with write_transaction(app.engine) as connection:
        before = store.connection_of(connection, user_id)
        store.save_connection(connection, user_id, google.vault.seal(tokens), now.isoformat())
        store.update_connection(connection, user_id, sync_requested=now.timestamp())
    if before is None or before.status == "disconnected":
        app.decide_profile(
            user_id,
            lambda _p: [facts.calendar_connected("google", GOALS_CALENDAR, now)],
        )
    log.info("google calendar connected for user %s", user_id)
    return user_id


def connect_loopback(
    app: App, google: Google, user_id: str, open_url: Callable[[str], None], timeout: float = 300.0
) -> str:
    """The installed-app flow for one person on a laptop: a one-shot server on 127.0.0.1 receives
    Google's redirect."""
    with google_oauth.LoopbackReceiver() as receiver:
        url = begin_connect(app, google, user_id, receiver.redirect_uri, loopback=True)
        open_url(url)
        try:
            params = receiver.wait(timeout)
        except OAuthError as exc:
            raise DomainError(str(exc)) from None
    return complete_connect(
        app, google, params.get("state", ""), params.get("code"), params.get("error"), finisher=LOOPBACK
    )


def disconnect(app: App, google: Google, user_id: str) -> bool:
    """Revoke the grant at Google, stop push channels, forget the tokens. History stays."""
    with read_transaction(app.engine) as connection:
        found = store.connection_of(connection, user_id)
        channels = store.channels_of(connection, user_id)
    if found is None or found.status == "disconnected":
        return False
    app.release_read()  # in a caller's unit of work, no read transaction waits on Google's answers
    if found.tokens:
        tokens = google.vault.open_sealed(found.tokens)
        client = google.client(tokens)
        for channel in channels:
            with contextlib.suppress(GoogleError):  # the channel expires by itself
                client.stop_channel(channel["channel_id"], channel["resource_id"])
        google_oauth.revoke(google.endpoints, tokens)
    with write_transaction(app.engine) as connection:
        for channel in channels:
            store.drop_channel(connection, channel["channel_id"])
        store.update_connection(
            connection,
            user_id,
            status="disconnected",
            tokens=None,
            detail=None,
            paused_until=None,
            sync_requested=None,
            updated_at=app.now().isoformat(),
        )
    app.decide_profile(
        user_id,
        lambda _p: [facts.calendar_disconnected("google", app.now())],
    )
    return True


@dataclass(frozen=True, slots=True)
class Status:
    status: str  # not-connected, connected, reconnect-needed, paused, disconnected
    detail: str | None = None
    calendar_id: str | None = None
    paused_until: datetime | None = None
    sync_requested: bool = False


def status(app: App, user_id: str) -> Status:
    with read_transaction(app.engine) as connection:
        found = store.connection_of(connection, user_id)
    if found is None:
        return Status("not-connected")
    paused = None
    state = found.status
    if found.paused_until is not None and found.paused_until > app.now().timestamp():
        paused = datetime.fromtimestamp(found.paused_until, UTC)
        state = "paused" if state == "connected" else state
    return Status(state, found.detail, found.goals_calendar_id, paused, found.sync_requested is not None)
