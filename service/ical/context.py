"""What the iCalendar use cases share: the vault (source addresses and feed tokens are encrypted
with NETGOALS_SECRET_KEY), and the fetcher the settings describe."""

from __future__ import annotations

from domain.errors import DomainError
from integrations.ical.fetch import Fetcher
from integrations.storage.secrets import SecretKeyMissingError, Vault
from service.settings import Settings


def vault_of(settings: Settings) -> Vault:
    """This process's vault (`service/bootstrap.py`), or an error that says what the key is for here."""
    from service import bootstrap

    try:
        return bootstrap.world(settings).vault
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
