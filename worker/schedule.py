"""Beat's schedule (celery-redbeat keeps it in Redis behind a lock: a second beat waits). Polling
each calendar is the sweep's choice per calendar (15 minutes without push, hourly with it), so the
schedule itself stays a few fixed entries."""

from __future__ import annotations

from typing import Any

from service.operations.jobs import task_names
from service.settings import Settings


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    names = task_names()
    return {
        "sweep": {"task": names.sweep, "schedule": settings.sweep_seconds},
        "renew-channels": {"task": names.renew_channels, "schedule": 3600.0},
        "housekeeping": {"task": names.housekeeping, "schedule": 3600.0},
        "sources": {"task": names.sources, "schedule": 60.0},  # each source has its own interval
        "caldav": {"task": names.caldav, "schedule": 60.0},  # each account has its own next poll
        "updates": {"task": names.updates, "schedule": settings.updates_every_seconds},
    }
