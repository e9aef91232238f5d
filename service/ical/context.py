"""What the iCalendar use cases share: the vault (source addresses and feed tokens are encrypted
with NETGOALS_SECRET_KEY), the fetcher the settings describe, and the hash kept for a token."""

from __future__ import annotations

import hashlib

from domain.errors import DomainError
from integrations.ical.fetch import Fetcher
from integrations.storage.secrets import SecretKeyMissingError, Vault
from service.settings import Settings


def vault_of(settings: Settings) -> Vault:
    secret = settings.secret_key.get_secret_value() if settings.secret_key else None
    try:
        return Vault.open(secret, settings.home, settings.embedded)
    except SecretKeyMissingError:
        raise DomainError(
            "NETGOALS_SECRET_KEY is required with a database URL: feed links and calendar addresses "
            "are stored encrypted with it"
        ) from None


def fetcher_of(settings: Settings) -> Fetcher:
    return Fetcher(
        allow_private=settings.allow_private_sources,
        max_bytes=settings.source_max_bytes,
        timeout=settings.source_timeout,
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
