"""A career aspiration."""

from __future__ import annotations

from pydantic import BaseModel

from domain.decisions.profile import Aspiration


class AspirationOut(BaseModel):
    aspiration_id: str
    text: str
    kind: str
    added_at: str

    @classmethod
    def of(cls, aspiration: Aspiration) -> AspirationOut:
        return cls(
            aspiration_id=aspiration.aspiration_id,
            text=aspiration.text,
            kind=aspiration.kind,
            added_at=aspiration.added_at.isoformat(),
        )
