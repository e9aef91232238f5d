"""What the update use cases need besides the App: settings, the vault, the signing key, SMTP."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import NAMESPACE_URL, uuid5

from integrations.mail.smtp import SmtpServer
from integrations.storage.secrets import Vault
from service.access import keys
from service.access.signing import derive_key
from service.settings import Settings

NAMESPACE = uuid5(NAMESPACE_URL, "https://netgoals.invalid/updates")


@dataclass(frozen=True)
class Updates:
    settings: Settings
    vault: Vault
    link_key: bytes

    @classmethod
    def open(cls, settings: Settings) -> Updates:
        """This process's updates context (`service/bootstrap.py`)."""
        from service import bootstrap

        return bootstrap.world(settings).updates

    @classmethod
    def build(cls, settings: Settings, vault: Vault) -> Updates:
        """Built by the composition root, with the vault it opened."""
        link_key = derive_key(keys.key_material(settings)[0], "updates")
        return cls(settings, vault, link_key)

    @property
    def smtp(self) -> SmtpServer | None:
        s = self.settings
        if not s.smtp_host:
            return None
        password = s.smtp_password.get_secret_value() if s.smtp_password else None
        return SmtpServer(s.smtp_host, s.smtp_port, s.smtp_security, s.smtp_username, password)

    def url(self, path: str) -> str:
        return self.settings.public_url.rstrip("/") + path


def delivery_id(user_id: str, key: str, channel: str) -> str:
    """One delivery per update and channel: deciding it again finds the same id."""
    return str(uuid5(NAMESPACE, f"{user_id}/{key}/{channel}"))


def event_id(delivery: str, outcome: str) -> str:
    return str(uuid5(NAMESPACE, f"{delivery}/{outcome}"))
