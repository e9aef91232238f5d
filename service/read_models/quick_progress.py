"""`progress` for the command line without opening the store in full (no SQLAlchemy, no migration
check, no catch-up): answered from a sqlite3 snapshot when the views are already current, else None
and the caller takes the full path (`service.read_models.progress.progress`), which brings them up to date."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.tracking.periods import parse_timezone
from integrations.storage.snapshot import current_snapshot
from service.read_models.progress import ProgressLine, progress_lines
from service.settings import Settings


def quick_progress(
    settings: Settings, handle: str, include_archived: bool = False
) -> list[ProgressLine] | None:
    """The same lines as `progress(app, user, include_archived=...)` for the current period."""
    with current_snapshot(settings.effective_database_url) as snapshot:
        if snapshot is None:
            return None
        user = snapshot.find_user(handle)
        if user is None:
            return None  # the full path says what is wrong
        now = settings.now if settings.now is not None else datetime.now(UTC)
        return progress_lines(
            snapshot.goals(user.user_id),
            snapshot.progress_counts(user.user_id),
            snapshot.aspiration_names(user.user_id),
            now,
            parse_timezone(user.timezone),
            user.week_start,
            include_archived,
        )
