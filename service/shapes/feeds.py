"""The links of an iCalendar feed (all your tasks, or one goal's): one shape for
`/api/v1/feed`, `/api/v1/goals/{goal_id}/feed` (and their rotate) and `netgoals feed --json`."""

from __future__ import annotations

from pydantic import BaseModel

from service.ical.tokens import FeedLinks


class FeedLinksOut(BaseModel):
    https: str
    webcal: str
    google: str  # add-to-calendar links
    apple: str
    outlook: str
    goal_id: str | None  # None: every goal's tasks

    @classmethod
    def of(cls, links: FeedLinks) -> FeedLinksOut:
        return cls(
            https=links.https,
            webcal=links.webcal,
            google=links.google,
            apple=links.apple,
            outlook=links.outlook,
            goal_id=links.goal_id,
        )
