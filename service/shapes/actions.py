"""A networking action that was logged."""

from __future__ import annotations

from pydantic import BaseModel

from integrations.storage.views import ActionRecord


class ActionOut(BaseModel):
    action_id: str
    action: str
    at: str
    contact_ids: list[str]
    retracted: bool

    @classmethod
    def of(cls, record: ActionRecord) -> ActionOut:
        return cls(
            action_id=record.action_id,
            action=record.kind,
            at=record.at.isoformat(),
            contact_ids=list(record.contact_ids),
            retracted=record.retracted,
        )
