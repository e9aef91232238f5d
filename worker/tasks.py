"""The tasks: each carries ids only and calls one `service` function. The base class caps
redeliveries, times the run, counts it for `/metrics` and writes one JSON log line."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from celery import Celery, Task
from celery.exceptions import Retry, SoftTimeLimitExceeded

from service.operations import background
from service.operations import jobs as jobs_service
from service.read_models import status
from worker.context import jobs

log = logging.getLogger("netgoals.tasks")
names = jobs_service.task_names()


class NetgoalsTask(Task):  # type: ignore[misc]
    max_retries = 2

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        context = jobs()
        started = time.monotonic()
        message_id = self.request.id or "-"
        if not self.request.called_directly and jobs_service.too_many_deliveries(context, message_id):
            self._report(started, background.Outcome("gave-up", _user(args)), "gave-up")
            return None
        try:
            outcome: background.Outcome = self.run(*args, **kwargs)
        except Retry:
            self._report(started, background.Outcome("retried", _user(args)), "retried")
            raise
        except SoftTimeLimitExceeded:
            self._report(started, background.Outcome("timed-out", _user(args)), "failed")
            raise
        except Exception as exc:
            if self.request.retries < self.max_retries:
                self._report(started, background.Outcome("retried", _user(args)), "retried")
                raise self.retry(exc=exc, countdown=2) from None
            self._report(started, background.Outcome(f"failed: {type(exc).__name__}", _user(args)), "failed")
            raise
        jobs_service.finished(context, message_id)
        self._report(started, outcome, "ok")
        return None

    def _report(self, started: float, outcome: background.Outcome, kind: str) -> None:
        seconds = time.monotonic() - started
        status.record_task(jobs().redis, self.name, kind, seconds)
        line = {
            "task": self.name,
            "id": self.request.id,
            "at": round(time.time(), 3),
            "seconds": round(seconds, 4),
            **outcome.as_dict(),
        }
        log.info(json.dumps(line, sort_keys=True, default=str))


def _user(args: tuple[Any, ...]) -> str | None:
    # A batch task's first argument is a list of ids: its log line names no one person.
    return str(args[0]) if args and isinstance(args[0], str) else None


def _sync_user(self: NetgoalsTask, user_id: str) -> background.Outcome:
    return background.sync_user(jobs(), user_id)


def _push_outbox(self: NetgoalsTask, user_id: str) -> background.Outcome:
    return background.push_outbox(jobs(), user_id)


def _renew_channels(self: NetgoalsTask) -> background.Outcome:
    return background.renew_channels(jobs())


def _housekeeping(self: NetgoalsTask) -> background.Outcome:
    return background.housekeeping(jobs())


def _sweep(self: NetgoalsTask) -> background.Outcome:
    return background.sweep(jobs())


def _sources(self: NetgoalsTask) -> background.Outcome:
    return background.sources(jobs())


def _updates(self: NetgoalsTask) -> background.Outcome:
    return background.progress_updates(jobs())


def _read_sources(self: NetgoalsTask, user_id: str) -> background.Outcome:
    return background.read_sources(jobs(), user_id)


def _deliver_updates(self: NetgoalsTask, user_id: str) -> background.Outcome:
    return background.deliver_updates(jobs(), user_id)


def _decide_updates(self: NetgoalsTask, user_ids: list[str]) -> background.Outcome:
    return background.decide_updates(jobs(), user_ids)


def _deliver_batch(self: NetgoalsTask, delivery_ids: list[str]) -> background.Outcome:
    return background.deliver_batch(jobs(), delivery_ids)


def _caldav(self: NetgoalsTask) -> background.Outcome:
    return background.caldav(jobs())


def register(app: Celery) -> None:
    """Put the tasks on `app` (the worker's, or a test's own)."""
    for name, run in (
        (names.sync_user, _sync_user),
        (names.push_outbox, _push_outbox),
        (names.renew_channels, _renew_channels),
        (names.housekeeping, _housekeeping),
        (names.sweep, _sweep),
        (names.sources, _sources),
        (names.updates, _updates),
        (names.read_sources, _read_sources),
        (names.deliver_updates, _deliver_updates),
        (names.decide_updates, _decide_updates),
        (names.deliver_batch, _deliver_batch),
        (names.caldav, _caldav),
    ):
        app.task(name=name, base=NetgoalsTask, bind=True)(run)
