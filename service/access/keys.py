"""One place for the server's secrets: the key material (NETGOALS_SECRET_KEY, or the embedded
mode's key file), the vault that seals secrets at rest with it (opened once per process by
`service/bootstrap.py`), the keys derived from it for signing, and the hash kept for a bearer
token — an API token, a session, a feed token, a push channel's token or an OAuth state — with its
constant-time check. The log never holds any of them (invariant 8)."""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from service.settings import Settings

if TYPE_CHECKING:
    from integrations.storage.secrets import Vault


def key_material(settings: Settings) -> list[str]:
    """The server's secret keys, the current one first (raises SecretKeyMissingError when a
    database URL is set without NETGOALS_SECRET_KEY)."""
    # cryptography loads here, not with the token checks (a CLI start-up loads only what it uses)
    from integrations.storage.secrets import key_material as from_secret

    secret = settings.secret_key.get_secret_value() if settings.secret_key else None
    return from_secret(secret, settings.home, settings.embedded)


def open_vault(settings: Settings) -> Vault:
    """The vault sealing OAuth tokens, feed tokens, calendar addresses and webhook URLs at rest
    (only the composition root calls it: `bootstrap.world(settings).vault`)."""
    from integrations.storage.secrets import Vault

    return Vault(key_material(settings))


def token_hash(token: str) -> str:
    """What is stored for a bearer token: its SHA-256 (the token itself is never stored)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def same(expected: str, presented: str) -> bool:
    """Two secrets (or their hashes) compared in constant time, so timing tells nothing."""
    return hmac.compare_digest(expected.encode("utf-8", "replace"), presented.encode("utf-8", "replace"))


def hash_matches(stored_hash: str, token: str) -> bool:
    """Whether `token` is the one whose hash was stored, compared in constant time."""
    return same(stored_hash, token_hash(token))


def fingerprint(text: str) -> str:
    """A short, non-reversible name for a secret or an attacker-chosen string in a log line."""
    return token_hash(text)[:12]


def derived_key(secret: str, label: bytes) -> bytes:
    """A key of its own for one purpose (`label`), derived from a server secret, so the Fernet
    key itself never signs anything."""
    return hashlib.sha256(label + secret.encode()).digest()


def keyed_hash(key: str, message: bytes) -> str:
    """HMAC-SHA256 of `message` under a secret (a session's CSRF token under its session id)."""
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()
