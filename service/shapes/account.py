"""What rotating everything a leaked credential could open answers: one shape for
`POST /api/v1/me/rotate` and `netgoals user token rotate --everything --json` (which names the user
too, as an administrator may rotate anyone's)."""

from __future__ import annotations

from pydantic import BaseModel

from service.access.credentials import Rotated
from service.shapes.feeds import FeedLinksOut


class RotatedOut(BaseModel):
    token: str  # shown once
    feeds: list[FeedLinksOut]  # every feed's new links: yours, and each goal's

    @classmethod
    def of(cls, done: Rotated) -> RotatedOut:
        return cls(token=done.token, feeds=[FeedLinksOut.of(f) for f in done.feeds])


class UserRotatedOut(RotatedOut):
    user_id: str
    handle: str
