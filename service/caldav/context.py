"""What CalDAV use cases need besides the App: the vault (the password is sealed with
NETGOALS_SECRET_KEY), the address policy (loopback and private servers only where
`allow_private_sources` allows them, as for iCal sources), and the polling schedule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta, tzinfo

from domain.errors import DomainError
from integrations.caldav.discovery import Home
from integrations.caldav.provider import CalDAVProvider
from integrations.caldav.session import Session
from integrations.storage.caldav_store import Account
from integrations.storage.secrets import SecretKeyMissingError, Vault
from service.app import App
from service.settings import Settings

POLL_SECONDS = 15 * 60.0  # a calendar changes rarely; the person can always ask for a sync now
BACKOFF_CAP = 6 * 3600.0  # a server that keeps failing is tried at most this rarely
WINDOW_BEFORE = timedelta(days=60)  # how far back repeating events are expanded
WINDOW_AFTER = timedelta(weeks=12)


@dataclass
class CalDAV:
    settings: Settings
    vault: Vault
    allow_private: bool = False

    @classmethod
    def open(cls, settings: Settings) -> CalDAV:
        """This process's CalDAV context (`service/bootstrap.py`)."""
        from service import bootstrap

        return bootstrap.world(settings).caldav

    @classmethod
    def build(cls, settings: Settings, vault: Callable[[], Vault]) -> CalDAV:
        """Built by the composition root, with the vault it opened."""
        try:
            opened = vault()
        except SecretKeyMissingError:
            raise DomainError(
                "NETGOALS_SECRET_KEY is required with a database URL: CalDAV passwords are stored "
                "encrypted with it"
            ) from None
        return cls(settings, opened, settings.allow_private_sources)

    def session(self, username: str, password: str) -> Session:
        return Session(
            username, password, allow_private=self.allow_private, ca_bundle=self.settings.caldav_ca_bundle
        )

    def provider(
        self, app: App, session: Session, url: str, tz: tzinfo, home: Home | None = None
    ) -> CalDAVProvider:
        now = app.now()
        # Every request ends the caller's read transaction first (a unit of work's, `App.release_read`):
        # a slow server must not keep a PostgreSQL session "idle in transaction" for the round trip.
        session.before_call = app.release_read
        return CalDAVProvider(session, url, tz, (now - WINDOW_BEFORE, now + WINDOW_AFTER), home=home)

    def provider_of(self, app: App, account: Account, tz: tzinfo) -> CalDAVProvider:
        """The provider for a stored account: the password unsealed here, used, never kept."""
        if account.sealed is None:
            raise DomainError("the CalDAV calendar is disconnected: connect it again")
        password = str(self.vault.open_sealed(account.sealed)["password"])
        home = Home(account.principal, account.home, account.emails)
        return self.provider(app, self.session(account.username, password), account.server_url, tz, home)


def next_poll(now: float, failures: int, retry_after: float | None = None) -> float:
    """When to poll again: the interval after a success; after failures, twice the wait each time
    up to the cap, and never before the server's Retry-After."""
    wait = POLL_SECONDS if failures == 0 else min(BACKOFF_CAP, POLL_SECONDS * 2 ** (failures - 1))
    return now + max(wait, retry_after or 0.0)
