"""Use cases: accounts for the web — API tokens and dashboard sessions, and idempotent answers.

Tokens and session ids are 256-bit random strings (`secrets.token_urlsafe(32)`). They are shown
once and stored only as SHA-256 hashes: with that much entropy a plain hash cannot be reversed by
guessing, so no slow password hash is needed. Lookups go by hash; the final comparison is
constant-time. Nothing here is an event: secrets never enter the log (invariant 8 in docs/architecture.md).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from domain.errors import DomainError, NotFoundError
from domain.people.contacts import validate_email
from domain.tracking.periods import parse_timezone
from integrations.storage import accounts as store
from integrations.storage import views
from integrations.storage.database import read_transaction, write_transaction
from service.access import keys, users
from service.app import App

SESSION_LIFETIME = timedelta(days=14)
MAX_SECRET_LENGTH = 200  # a real token is 43 characters; anything much longer is not one of ours


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


# --- users and tokens ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewAccount:
    user: views.UserRecord
    token: str


def add_user(app: App, email: str, timezone: str = "UTC", *, week_start: int = 0) -> NewAccount:
    """Register a user under their email address and give them their first API token."""
    email = validate_email(email)
    parse_timezone(timezone)
    record = users.register(app, email, timezone, week_start=week_start)
    return NewAccount(record, issue_token(app, record.user_id))


def ensure_local_account(app: App, handle: str, timezone: str) -> tuple[views.UserRecord, str | None]:
    """One person on a laptop (embedded mode): their user exists and can sign in to the dashboard.
    Returns a token only when the user had none yet — it is shown once, like every token."""
    try:
        record = app.user(handle)
    except NotFoundError:
        record = users.register(app, handle, timezone)
    if record.user_id in has_token(app):
        return record, None
    return record, issue_token(app, record.user_id)


def issue_token(app: App, user_id: str) -> str:
    """A new API token for a user; any old one stops working, and so do their dashboard sessions."""
    app.user(user_id)  # NotFoundError for an unknown user
    token = _new_secret()
    with write_transaction(app.engine) as connection:
        store.replace_token(connection, user_id, keys.token_hash(token), app.now().isoformat())
        store.delete_sessions(connection, user_id)
    return token


def revoke_token(app: App, user_id: str) -> None:
    app.user(user_id)
    with write_transaction(app.engine) as connection:
        if not store.delete_token(connection, user_id):
            raise DomainError("this user has no API token to revoke")
        store.delete_sessions(connection, user_id)


def has_token(app: App) -> set[str]:
    with read_transaction(app.engine) as connection:
        return store.users_with_tokens(connection)


def authenticate(app: App, token: str) -> str | None:
    """The id of the user this API token belongs to, or None."""
    if not token or len(token) > MAX_SECRET_LENGTH:
        return None
    hashed = keys.token_hash(token)
    with read_transaction(app.engine) as connection:
        found = store.token_owner(connection, hashed)
    if found is None or not keys.same(found[1], hashed):
        return None
    return found[0]


def sign_in(app: App, handle: str, token: str) -> str | None:
    """The user id when `token` is the API token of the user named `handle` (email or id)."""
    user_id = authenticate(app, token)
    if user_id is None or "\x00" in handle:
        return None
    try:
        named = app.user(handle.strip()[:MAX_SECRET_LENGTH]).user_id
    except NotFoundError:
        return None
    return user_id if keys.same(named, user_id) else None


# --- dashboard sessions ----------------------------------------------------------------------------


def open_session(app: App, user_id: str) -> str:
    """A new session id for the cookie; only its hash is kept."""
    session_id = _new_secret()
    now = app.now()
    with write_transaction(app.engine) as connection:
        store.delete_expired_sessions(connection, now.timestamp())
        store.add_session(
            connection,
            keys.token_hash(session_id),
            user_id,
            now.isoformat(),
            (now + SESSION_LIFETIME).timestamp(),
        )
    return session_id


def session_user(app: App, session_id: str) -> str | None:
    if not session_id or len(session_id) > MAX_SECRET_LENGTH:
        return None
    hashed = keys.token_hash(session_id)
    with read_transaction(app.engine) as connection:
        found = store.session_owner(connection, hashed, app.now().timestamp())
    if found is None or not keys.same(found[1], hashed):
        return None
    return found[0]


def close_session(app: App, session_id: str) -> None:
    with write_transaction(app.engine) as connection:
        store.delete_session(connection, keys.token_hash(session_id))


def csrf_token(session_id: str) -> str:
    """The session's CSRF token: derived from the secret session id, so it needs no storage and
    nobody without the session cookie can compute it."""
    return keys.keyed_hash(session_id, b"netgoals-csrf")


def check_csrf(session_id: str, submitted: str) -> bool:
    return keys.same(csrf_token(session_id), submitted)


# --- idempotent requests ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Claim:
    """What an idempotency key says about a request: run it (`mine`), replay the first answer
    (`answer`), or refuse it (`reused`: the key was used for a different request)."""

    mine: bool
    answer: store.StoredResponse | None = None
    reused: bool = False


def claim_key(app: App, user_id: str, key: str, request_hash: str) -> Claim:
    """Claim the key before running the request, so the answer never depends on timing: a second
    request with another body is refused whether the first one finished or is still running."""
    with write_transaction(app.engine) as connection:
        found = store.claim_key(connection, user_id, key, request_hash, app.now().isoformat())
    if found is None:
        return Claim(mine=True)
    if not keys.same(found.request_hash, request_hash):
        return Claim(mine=False, reused=True)
    if found.status == store.PENDING:
        return Claim(mine=False)  # the same request still running: run it too, ids derive from the key
    return Claim(mine=False, answer=found)


def finish_key(app: App, user_id: str, key: str, status: int, body: str) -> None:
    with write_transaction(app.engine) as connection:
        store.finish_key(connection, user_id, key, status, body)


def release_key(app: App, user_id: str, key: str, request_hash: str) -> None:
    with write_transaction(app.engine) as connection:
        store.release_key(connection, user_id, key, request_hash)
