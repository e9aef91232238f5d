"""Encryption of secrets at rest (OAuth tokens): Fernet with a key from the settings.

Invariant 8 (docs/architecture.md): tokens live in their own table, encrypted; the log never holds them. The
key comes from NETGOALS_SECRET_KEY. Only the embedded local mode may do without: it generates a
key once and keeps it in a file readable by its owner only (0600) next to the database.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KEY_FILE = "secret.key"


class SecretKeyMissingError(RuntimeError):
    """A server database is configured but no NETGOALS_SECRET_KEY: refuse to start."""


class UnreadableSecretError(RuntimeError):
    """A stored secret does not decrypt with the configured keys (the key changed?)."""


def _fernet(key: str) -> Fernet:
    key = key.strip()
    try:
        return Fernet(key.encode())
    except ValueError:
        # Any other text is a passphrase: derive a Fernet key from it.
        derived = hashlib.sha256(b"netgoals/secret-key/" + key.encode()).digest()
        return Fernet(base64.urlsafe_b64encode(derived))


def _key_file(home: Path) -> str:
    path = home / KEY_FILE
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(handle, "w") as out:
        out.write(Fernet.generate_key().decode())
    return path.read_text().strip()


def key_material(secret_key: str | None, home: Path, embedded: bool) -> list[str]:
    """The server's secret keys (the first is current): NETGOALS_SECRET_KEY, or in the embedded
    mode the generated key file. Besides encrypting tokens they key other secrets (signed links)."""
    if secret_key:
        return [k.strip() for k in secret_key.split(",") if k.strip()]
    if not embedded:
        raise SecretKeyMissingError(
            "NETGOALS_SECRET_KEY is required when NETGOALS_DATABASE_URL is set: it encrypts the "
            "Google tokens at rest. Generate one with: python -c "
            "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        )
    return [_key_file(home)]


class Vault:
    """Encrypts and decrypts small JSON documents."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise SecretKeyMissingError("no secret key")
        self._fernet = MultiFernet([_fernet(k) for k in keys])

    def seal(self, document: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(document, separators=(",", ":")).encode()).decode()

    def open_sealed(self, sealed: str) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self._fernet.decrypt(sealed.encode()))
        except InvalidToken:
            raise UnreadableSecretError("a stored secret does not decrypt with NETGOALS_SECRET_KEY") from None
        return data
