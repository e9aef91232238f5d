"""One `Jobs` context per worker process, opened on first use (after the fork, never before it,
so no database connection is shared between processes); tests hand in their own with `use`."""

from __future__ import annotations

import os
import threading

from service.jobs import Jobs
from service.settings import Settings

_opened: dict[int, Jobs] = {}
_given: list[Jobs] = []
_opening = threading.Lock()  # the worker's threads share one context: opened once


def use(context: Jobs | None) -> None:
    """Run this process's tasks in `context` (None: back to the settings' own)."""
    _given[:] = [context] if context is not None else []


def jobs() -> Jobs:
    if _given:
        return _given[0]
    pid = os.getpid()
    with _opening:
        if pid not in _opened:
            _opened.clear()
            _opened[pid] = Jobs.open(Settings())
        return _opened[pid]
