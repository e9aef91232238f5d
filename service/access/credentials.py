"""Rotate everything a leaked credential could open: the API token (and dashboard sessions), the
calendar feed URLs, and every signed link sent so far (confirm a block, unsubscribe, confirm an
address). Rotating only the API token leaves the rest working.

Signed links carry the moment they were made; a link made before the person's `not_before`
(integrations/storage/accounts.py `link_epochs`) is refused, whatever its signature and expiry.
The moment is kept to the second, like the links' own times: a link from the very second of the
rotation but before it may survive; none from an earlier second does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from integrations.storage import accounts as store
from integrations.storage import calendar_store, ical_store
from integrations.storage.database import read_transaction, write_transaction
from service.access import accounts
from service.app import App
from service.ical.tokens import FeedLinks, rotate_feed
from service.settings import Settings
from service.tracking.confirm_links import LINK_LIFETIME

REVOKED = "this link no longer works: new links were issued since (the account's secrets were rotated)"


@dataclass(frozen=True, slots=True)
class Rotated:
    token: str  # the new API token, shown once
    feeds: list[FeedLinks]  # the new feed links (only feeds that existed are made again)


def links_revoked(app: App, user_id: str, issued_at: float) -> bool:
    """Whether a link made at `issued_at` (epoch seconds) for this person was revoked since."""
    with read_transaction(app.engine) as connection:
        not_before = store.links_not_before(connection, user_id)
    return not_before is not None and issued_at < not_before


def rotate_everything(app: App, settings: Settings, user_id: str) -> Rotated:
    """New API token, new feed URLs, and every signed link made until now refused."""
    app.user(user_id)  # NotFoundError for an unknown user
    now = app.now()
    with write_transaction(app.engine) as connection:
        store.revoke_links_before(connection, user_id, float(math.floor(now.timestamp())))
        scopes = ical_store.scopes_of(connection, user_id)
        # Blocks in Google carry Done / Didn't happen links: they get new ones at the next push.
        for row in calendar_store.outbox_rows(connection, user_id):
            if row.get("links_until") is not None:
                until = (now + LINK_LIFETIME).timestamp()
                calendar_store.change_outbox(
                    connection, user_id, row["action_id"], push=True, links_until=until
                )
    feeds = [rotate_feed(app, settings, user_id, scope or None) for scope in scopes]
    return Rotated(accounts.issue_token(app, user_id), feeds)
