"""Signed one-click links ("Done", "Didn't happen") for a planned block.

A link carries user, action, answer and expiry, signed with HMAC-SHA256 under a key derived from
the server's secret (NETGOALS_SECRET_KEY, or the embedded mode's generated key). The signature is
the credential: it is compared in constant time, binds every field (change one and it fails), and
stops working after its expiry. Several secret keys rotate: the first signs, any verifies. A link
is only ever a capability for one answer about one block, never a sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from uuid import UUID

from domain.calendars.confirmation import ANSWERS
from domain.errors import DomainError
from integrations.storage.secrets import SecretKeyMissingError
from service.access import keys
from service.settings import Settings

LINK_LIFETIME: Final = timedelta(days=30)
_PURPOSE = b"netgoals/confirm-link/v1"


class InvalidLinkError(DomainError):
    """The link was altered, belongs to nothing we signed, or has expired."""


@dataclass(frozen=True, slots=True)
class Claim:
    user_id: str
    action_id: str
    answer: str
    expires: datetime

    @property
    def issued_at(self) -> float:
        """When the link was made (epoch seconds): every link lasts LINK_LIFETIME."""
        return self.expires.timestamp() - LINK_LIFETIME.total_seconds()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class Links:
    keys: tuple[bytes, ...]
    public_url: str

    @classmethod
    def open(cls, settings: Settings) -> Links | None:
        """This process's signer (`service/bootstrap.py`), or None on a server without a secret key
        (links are then not offered)."""
        from service import bootstrap

        return bootstrap.world(settings).links

    @classmethod
    def build(cls, settings: Settings) -> Links | None:
        """Built by the composition root."""
        try:
            material = keys.key_material(settings)
        except SecretKeyMissingError:
            return None
        derived = tuple(keys.derived_key(k, _PURPOSE + b"/") for k in material)
        return cls(derived, settings.public_url.rstrip("/"))

    def _signature(self, key: bytes, body: bytes) -> bytes:
        return hmac.new(key, _PURPOSE + b"|" + body, hashlib.sha256).digest()

    def token(self, user_id: str, action_id: str, answer: str, expires: datetime) -> str:
        if answer not in ANSWERS:
            raise ValueError(f"unknown answer {answer!r}")
        stamp = str(int(expires.timestamp())).encode()
        body = b"|".join((UUID(user_id).bytes, UUID(action_id).bytes, answer.encode(), stamp))
        return f"{_b64(body)}.{_b64(self._signature(self.keys[0], body))}"

    def url(self, user_id: str, action_id: str, answer: str, expires: datetime) -> str:
        return f"{self.public_url}/confirm/{self.token(user_id, action_id, answer, expires)}"

    def verify(self, token: str, now: datetime) -> Claim:
        """The claim a valid, unexpired link makes; InvalidLinkError otherwise (nothing said why a
        forged link failed beyond "not valid")."""
        refused = InvalidLinkError("this confirmation link is not valid (it may have been cut or altered)")
        body_text, _, signature_text = token.partition(".")
        if len(token) > 300 or not body_text or not signature_text:
            raise refused
        try:
            body, signature = _unb64(body_text), _unb64(signature_text)
        except ValueError:
            raise refused from None
        if not any(hmac.compare_digest(self._signature(key, body), signature) for key in self.keys):
            raise refused
        try:
            user, action, answer, expires = body[:16], body[17:33], *body[34:].split(b"|")
            claim = Claim(
                str(UUID(bytes=user)),
                str(UUID(bytes=action)),
                answer.decode(),
                datetime.fromtimestamp(int(expires), now.tzinfo),
            )
        except ValueError:
            raise refused from None
        if claim.expires <= now:
            raise InvalidLinkError(
                "this confirmation link has expired (links last 30 days); "
                "confirm the block on your dashboard instead"
            )
        return claim
