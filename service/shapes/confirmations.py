"""Planned blocks waiting for the person's word, and the answer to confirming one."""

from __future__ import annotations

from pydantic import BaseModel

from service.tracking.confirmation import Answered, Waiting


class WaitingOut(BaseModel):
    action_id: str
    title: str
    action: str
    start: str
    end: str
    skipped_after: str  # unconfirmed until then, it is skipped as "not confirmed"
    asks_with_whom: bool

    @classmethod
    def of(cls, block: Waiting) -> WaitingOut:
        return cls(
            action_id=block.action_id,
            title=block.title,
            action=block.kind,
            start=block.start.isoformat(),
            end=block.end.isoformat(),
            skipped_after=block.skipped_after.isoformat(),
            asks_with_whom=block.asks_whom,
        )


class ConfirmedOut(BaseModel):
    action_id: str
    title: str
    state: str  # done, fulfilled, skipped
    changed: bool  # False: it was already so (a second click)
    counts_for: str | None  # the title of the goal a "done" counts for

    @classmethod
    def of(cls, answered: Answered) -> ConfirmedOut:
        return cls(
            action_id=answered.action_id,
            title=answered.title,
            state=answered.state,
            changed=answered.changed,
            counts_for=answered.counts_for,
        )
