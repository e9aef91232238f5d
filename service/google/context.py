"""What Google use cases need besides the App: settings, the vault, the endpoints and an API client;
and the hash kept in place of a secret (an OAuth state, a push channel's token).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from domain.errors import DomainError
from integrations.google import oauth as google_oauth
from integrations.google.calendar import GoogleCalendar
from integrations.google.oauth import GoogleEndpoints
from integrations.storage.secrets import Vault
from service.settings import Settings

Sleep = Callable[[float], None]


@dataclass
class Google:
    """What Google use cases need besides the App: settings, the vault and the endpoints."""

    settings: Settings
    vault: Vault
    endpoints: GoogleEndpoints
    sleep: Sleep = time.sleep
    watch: bool = False  # open push channels (needs a public https address, or the local fake)

    @classmethod
    def open(cls, settings: Settings, *, sleep: Sleep = time.sleep) -> Google:
        """This process's Google context (`service/bootstrap.py`), sleeping with `sleep`."""
        from service import bootstrap

        found = bootstrap.world(settings).google
        return found if sleep is found.sleep else replace(found, sleep=sleep)

    @classmethod
    def build(cls, settings: Settings, vault: Callable[[], Vault]) -> Google:
        """Built by the composition root, with the vault it opened."""
        if not settings.google_client_id:
            raise DomainError(
                "Google Calendar is not configured: store google_client_id and google_client_secret "
                "with `netgoals config set KEY VALUE` (or NETGOALS_GOOGLE_CLIENT_ID and "
                "NETGOALS_GOOGLE_CLIENT_SECRET), then restart `netgoals serve`"
            )
        client_secret = settings.google_client_secret
        endpoints = GoogleEndpoints(
            client_id=settings.google_client_id,
            client_secret=client_secret.get_secret_value() if client_secret else "",
            auth_uri=settings.google_auth_uri,
            token_uri=settings.google_token_uri,
            revoke_uri=settings.google_revoke_uri,
            api_url=settings.google_api_url,
            batch_uri=settings.google_batch_uri,
        )
        google_oauth.prepare_environment(endpoints)
        watch = settings.public_url.startswith("https://") or endpoints.local
        return cls(settings, vault(), endpoints, time.sleep, watch)

    def client(
        self,
        tokens: dict[str, Any],
        before_call: Callable[[], None] | None = None,
        deadline: float | None = None,
    ) -> GoogleCalendar:
        """A user's API client; `before_call` runs before each request (`App.release_read`, so a
        unit of work holds no read transaction open while Google answers); after `deadline` (a
        `time.monotonic()` instant) no request starts."""
        credentials = google_oauth.credentials(self.endpoints, tokens)
        return GoogleCalendar(
            self.endpoints,
            credentials,
            num_retries=self.settings.google_num_retries,
            sleep=self.sleep,
            before_call=before_call,
            deadline=deadline,
        )

    @property
    def callback_url(self) -> str:
        return self.settings.public_url.rstrip("/") + "/oauth/google/callback"

    @property
    def webhook_url(self) -> str:
        return self.settings.public_url.rstrip("/") + "/webhooks/google"
