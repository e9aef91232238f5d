"""One `Jobs` context per worker process, the composition root's (`service/bootstrap.py`): built on
first use, after the fork, never before it, so no database connection is shared between processes;
tests hand in their own with `use`."""

from __future__ import annotations

from service import bootstrap
from service.operations.jobs import Jobs

_given: list[Jobs] = []


def use(context: Jobs | None) -> None:
    """Run this process's tasks in `context` (None: back to the settings' own)."""
    _given[:] = [context] if context is not None else []


def jobs() -> Jobs:
    if _given:
        return _given[0]
    return bootstrap.world().jobs
