"""What one calendar sync (Google or CalDAV) did for one user, counted for people (CLI, API, worker log)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from domain.event_types import events as ev
from domain.event_types.events import NewEvent
from integrations.storage.calendar_store import SyncCounts


@dataclass(slots=True)
class Report:
    user_id: str
    status: str = "connected"
    planned: int = 0
    moved: int = 0
    removed: int = 0
    pushed: int = 0
    done: int = 0
    retracted: int = 0
    skipped: int = 0
    rescheduled: int = 0
    confirmed: int = 0  # blocks the user confirmed with ✓ in the title
    fulfilled: int = 0  # blocks a matching done action fulfilled
    not_confirmed: int = 0  # blocks skipped after a week without an answer
    changes_seen: int = 0
    notices: list[str] = field(default_factory=list)
    error: str | None = None
    provider: str = "google"  # or "caldav": the same counts, from the other calendar

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def counts(self) -> SyncCounts:
        """What to store: a block confirmed by ✓ appended a done too (read after the pull's count)."""
        return SyncCounts(
            planned=self.planned,
            moved=self.moved,
            removed=self.removed,
            pushed=self.pushed,
            done=self.done + self.confirmed,
            retracted=self.retracted,
            rescheduled=self.rescheduled,
            skipped=self.skipped,
            confirmed=self.confirmed,
            fulfilled=self.fulfilled,
            not_confirmed=self.not_confirmed,
        )

    def count(self, events: Iterable[NewEvent]) -> None:
        for event in events:
            if event.type == ev.ACTION_DONE:
                self.done += 1
            elif event.type == ev.ACTION_RETRACTED:
                self.retracted += 1
            elif event.type == ev.ACTION_FULFILLED:
                self.fulfilled += 1
            elif event.type == ev.ACTION_SKIPPED and event.data.get("reason") == "not confirmed":
                self.not_confirmed += 1
            elif event.type == ev.ACTION_SKIPPED and event.data.get("by") == "user":
                self.skipped += 1
            elif event.type == ev.ACTION_RESCHEDULED and event.data.get("by") == "user":
                self.rescheduled += 1
