"""Progress updates: where they go and how that stands (the answer to reading or setting the
preferences), a test queued, and an update sent — one shape each for `/api/v1/updates…` and
`netgoals notify status --json` / `netgoals updates --json`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from service.updates import QueuedTest, UpdatesStatus


class UpdatePreferencesOut(BaseModel):
    channel: str
    email: str | None
    webhook_format: str | None
    immediate: bool
    digest: bool
    failing: dict[str, str]
    pending: int
    confirmation: Literal["waiting", "confirmed"] | None = Field(
        default=None,
        description='For email: "waiting" until the owner opens the link sent to the address (nothing '
        'else is sent to it before), then "confirmed".',
    )
    webhook_secret: str | None = Field(
        default=None, description="Only in the answer that set a webhook: the signing secret, shown once."
    )

    @classmethod
    def of(cls, current: UpdatesStatus, webhook_secret: str | None = None) -> UpdatePreferencesOut:
        p = current.preferences
        return cls(
            channel=p.channel,
            email=p.email,
            webhook_format=p.webhook_format if p.channel == "webhook" else None,
            immediate=p.immediate,
            digest=p.digest,
            failing=current.failing,
            pending=current.pending,
            confirmation=None
            if p.channel != "email"
            else "waiting"
            if current.waiting_for_confirmation
            else "confirmed",
            webhook_secret=webhook_secret,
        )


class QueuedTestOut(BaseModel):
    delivery_id: str
    channel: str
    state: str
    result: str = Field(description="Where the outcome shows: the list of updates, this delivery's state")
    detail: str

    @classmethod
    def of(cls, queued: QueuedTest) -> QueuedTestOut:
        return cls(
            delivery_id=queued.delivery_id,
            channel=queued.channel,
            state="pending",
            result="/api/v1/updates",
            detail="a worker sends it; GET /api/v1/updates shows whether it was delivered",
        )


class SentUpdateOut(BaseModel):
    delivery_id: str
    kind: str
    subject: str | None
    channel: str
    state: str
    attempts: int
    detail: str | None
    decided_at: str | None  # ISO, in the person's zone
    finished_at: str | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> SentUpdateOut:
        """A row of `service.updates.sent`."""
        return cls.model_validate(row)
