"""Google's push notifications: one channel per calendar, renewed before it expires; and the
sync requests notifications leave for the worker's sweep.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from integrations.google.calendar import GoogleCalendar
from integrations.storage import calendar_store as store
from integrations.storage.database import read_transaction, write_transaction
from service.access import keys
from service.app import App
from service.google.context import Google
from service.google.ids import GOALS, PRIMARY

CHANNEL_RENEW_BEFORE = timedelta(days=1)


def renew_channels(app: App, google: Google, client: GoogleCalendar, user_id: str, calendar_id: str) -> None:
    """One push channel per calendar; a new one before the old one expires, then stop the old."""
    now = app.now().timestamp()
    with read_transaction(app.engine) as connection:
        channels = store.channels_of(connection, user_id)
    for role, watched in ((PRIMARY, "primary"), (GOALS, calendar_id)):
        mine = [c for c in channels if c["role"] == role]
        if any(c["expiration"] - now > CHANNEL_RENEW_BEFORE.total_seconds() for c in mine):
            continue
        channel_id, token = secrets.token_hex(16), secrets.token_urlsafe(24)
        resource_id, expiration = client.watch(watched, channel_id, google.webhook_url, token)
        with write_transaction(app.engine) as connection:
            store.add_channel(
                connection, channel_id, user_id, role, resource_id, keys.token_hash(token), expiration
            )
        for old in mine:
            client.stop_channel(old["channel_id"], old["resource_id"])
            with write_transaction(app.engine) as connection:
                store.drop_channel(connection, old["channel_id"])


def sync_requested(app: App) -> list[str]:
    """Users a push notification asked to sync (the worker's sweep, or `netgoals sync`)."""
    with read_transaction(app.engine) as connection:
        return [
            u
            for u in store.connected_users(connection)
            if (c := store.connection_of(connection, u)) is not None and c.sync_requested is not None
        ]
