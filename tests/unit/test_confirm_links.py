"""Signed confirmation links: bound to user, block and answer, expiring, keyed by the server's
secret (rotation: the first key signs, any verifies)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from service.settings import Settings
from service.tracking.confirm_links import InvalidLinkError, Links, _b64, _unb64

NOW = datetime(2026, 12, 3, 9, tzinfo=UTC)
USER, BLOCK = str(uuid4()), str(uuid4())


def links(tmp_path: Path, key: str | None = None) -> Links:
    found = Links.open(Settings(home=tmp_path, secret_key=key))
    assert found is not None
    return found


def test_a_link_says_who_which_block_and_what(tmp_path: Path) -> None:
    signer = links(tmp_path)
    token = signer.token(USER, BLOCK, "skip", NOW + timedelta(days=30))
    claim = signer.verify(token, NOW)
    assert (claim.user_id, claim.action_id, claim.answer) == (USER, BLOCK, "skip")
    assert signer.url(USER, BLOCK, "done", NOW).startswith("http://127.0.0.1:8000/confirm/")
    assert links(tmp_path).verify(token, NOW) == claim  # the embedded key file is reused


def test_every_field_is_bound(tmp_path: Path) -> None:
    signer = links(tmp_path)
    token = signer.token(USER, BLOCK, "skip", NOW + timedelta(days=30))
    body, signature = token.split(".")
    raw = bytearray(_unb64(body))
    for index in (0, 20, 34, len(raw) - 1):  # user, block, answer, expiry
        changed = bytearray(raw)
        changed[index] ^= 1
        with pytest.raises(InvalidLinkError, match="not valid"):
            signer.verify(f"{_b64(bytes(changed))}.{signature}", NOW)
    swapped = signer.token(USER, BLOCK, "done", NOW + timedelta(days=30)).split(".")[0]
    with pytest.raises(InvalidLinkError):
        signer.verify(f"{swapped}.{signature}", NOW)  # another answer under this signature
    for junk in ("", ".", "abc", "a.b", token + "x", "%%%.%%%", token[:-2]):
        with pytest.raises(InvalidLinkError):
            signer.verify(junk, NOW)


def test_links_expire(tmp_path: Path) -> None:
    signer = links(tmp_path)
    token = signer.token(USER, BLOCK, "done", NOW + timedelta(days=30))
    assert signer.verify(token, NOW + timedelta(days=30) - timedelta(seconds=1))
    with pytest.raises(InvalidLinkError, match="expired"):
        signer.verify(token, NOW + timedelta(days=30))


def test_another_servers_secret_or_a_rotated_key(tmp_path: Path) -> None:
    old = links(tmp_path, "old passphrase that is long enough")
    token = old.token(USER, BLOCK, "done", NOW + timedelta(days=1))
    with pytest.raises(InvalidLinkError):
        links(tmp_path, "some other secret entirely").verify(token, NOW)
    rotated = links(tmp_path, "new passphrase,old passphrase that is long enough")
    assert rotated.verify(token, NOW).action_id == BLOCK


def test_a_server_without_a_secret_offers_no_links(tmp_path: Path) -> None:
    assert Links.open(Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/x.db")) is None
