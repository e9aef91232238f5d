"""Feed tokens: 256 random bits each, one per user (and per goal for a goal's own feed).

Stored twice, neither time readable from a copy of the database alone: as a SHA-256 hash, which
is how a request finds its feed, and encrypted with NETGOALS_SECRET_KEY, so the dashboard and
`netgoals feed url` can show the same link again instead of forcing a rotation (which would break
every calendar already subscribed). Rotation replaces both: the old URL answers 404 at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import quote

from domain.errors import NotFoundError
from integrations.storage import ical_store as store
from integrations.storage.database import read_transaction, write_transaction
from service.access import keys
from service.app import App
from service.ical.context import vault_of
from service.settings import Settings

TOKEN_BYTES = 32
# How often subscribers poll is theirs to decide (docs/ical.md); the dashboard says so.
REFRESH_NOTES = {
    "google": "Google Calendar refreshes subscriptions itself, roughly every 8 to 24 hours.",
    "apple": "Apple Calendar refreshes as the subscription says (Auto-refresh: every 5 minutes to weekly).",
    "outlook": "Outlook refreshes subscriptions about every 3 hours.",
}


@dataclass(frozen=True, slots=True)
class FeedLinks:
    https: str
    webcal: str
    google: str
    apple: str
    outlook: str
    goal_id: str | None


def _links(settings: Settings, token: str, goal_id: str | None) -> FeedLinks:
    https = f"{settings.public_url.rstrip('/')}/feeds/{token}.ics"
    webcal = "webcal://" + https.split("://", 1)[1]
    return FeedLinks(
        https=https,
        webcal=webcal,
        google="https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
        apple=webcal,
        outlook="https://outlook.live.com/calendar/0/addfromweb?url="
        + quote(https, safe="")
        + "&name="
        + quote("Networking goals"),
        goal_id=goal_id,
    )


def _scope(app: App, user_id: str, goal_id: str | None) -> str:
    if goal_id is None:
        return ""
    if goal_id not in app.profile(user_id).goals:
        raise NotFoundError(f"no goal {goal_id!r}")
    return goal_id


def feed_links(app: App, settings: Settings, user_id: str, goal_id: str | None = None) -> FeedLinks:
    """The feed's links, made on first use."""
    scope = _scope(app, user_id, goal_id)
    vault = vault_of(settings)
    with read_transaction(app.engine) as connection:
        found = store.token_of(connection, user_id, scope)
    if found is not None:
        return _links(settings, vault.open_sealed(found.sealed)["token"], goal_id)
    return rotate_feed(app, settings, user_id, goal_id)


def rotate_feed(app: App, settings: Settings, user_id: str, goal_id: str | None = None) -> FeedLinks:
    """A new token; the old URL stops working."""
    scope = _scope(app, user_id, goal_id)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    sealed = vault_of(settings).seal({"token": token})
    with write_transaction(app.engine) as connection:
        store.replace_token(connection, user_id, scope, keys.token_hash(token), sealed, app.now().isoformat())
    return _links(settings, token, goal_id)


def resolve(app: App, token: str) -> tuple[str, str] | None:
    """(user id, scope) of a token, or None. The lookup is by hash, so timing says nothing about
    the token; the hash found is compared in constant time all the same."""
    wanted = keys.token_hash(token)
    with read_transaction(app.engine) as connection:
        found = store.token_by_hash(connection, wanted)
    if found is None or not keys.same(found.token_hash, wanted):
        return None
    return found.user_id, found.scope
