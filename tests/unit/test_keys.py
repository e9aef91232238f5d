"""service/access/keys.py: the one token hash (the same SHA-256 that tokens already stored were hashed
with, so no stored token stops working), its constant-time check, and the one vault opening."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from integrations.storage.secrets import SecretKeyMissingError
from service.access import keys
from service.settings import Settings


def test_the_token_hash_is_the_sha256_every_stored_hash_was_made_with() -> None:
    for token in ("t-old", "rZ0_long-random-token", "ünïcode"):
        assert keys.token_hash(token) == hashlib.sha256(token.encode()).hexdigest()


def test_a_hash_matches_its_token_only_and_odd_text_is_an_answer_not_an_error() -> None:
    stored = keys.token_hash("right")
    assert keys.hash_matches(stored, "right")
    assert not keys.hash_matches(stored, "wrong")
    assert not keys.hash_matches(stored, "\udcff")  # a lone surrogate from a hostile request
    assert keys.same("ä", "ä") and not keys.same("a", "ä")


def test_the_vault_needs_a_key_with_a_database_url_and_seals_with_it(tmp_path: Path) -> None:
    database = {"database_url": "postgresql://nobody@127.0.0.1/none", "home": tmp_path}
    with pytest.raises(SecretKeyMissingError):
        keys.open_vault(Settings(**database))  # type: ignore[arg-type]
    settings = Settings(**database, secret_key="a long passphrase for the tests")  # type: ignore[arg-type]
    vault = keys.open_vault(settings)
    assert keys.open_vault(settings).open_sealed(vault.seal({"token": "x"})) == {"token": "x"}
