"""Someone met at an attended Google Calendar event who is not a contact yet: one shape for
`GET /api/v1/google/suggestions`, `netgoals google suggestions --json` and the network page."""

from __future__ import annotations

from pydantic import BaseModel

from service.google.suggestions import Suggestion


class SuggestionOut(BaseModel):
    email: str
    name: str | None
    met_at: str  # the event's start
    event: str  # its title
    times: int  # how many attended events they were at

    @classmethod
    def of(cls, s: Suggestion) -> SuggestionOut:
        return cls(email=s.email, name=s.name, met_at=s.met_at, event=s.event, times=s.times)
