"""The use cases the workers run, one per task: sync one user, push one user's outbox, renew push
channels, housekeeping, the sweep that re-enqueues whatever is still pending (invariant 7), reading
the iCal sources that are due, and deciding and sending progress updates.

Each returns an `Outcome` for the task's log line: a user id, what happened, and counts — never a
token. A per-user Redis lock saves a second worker from syncing the same user at once; the
database's compare-and-set rules (invariants 2 and 6) keep a duplicate run harmless when it does not.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import redis

from domain.progress_updates.updates import DIGEST
from integrations.queue import marks, telemetry
from integrations.queue.celery_app import BULK_QUEUE, QUEUE, URGENT_QUEUE
from integrations.queue.enqueue import EVERYONE
from integrations.storage import calendar_store as store
from integrations.storage import housekeeping as rows
from integrations.storage import update_store
from integrations.storage.database import read_transaction, write_transaction
from service.google.notifications import CHANNEL_RENEW_BEFORE
from service.google.report import Report
from service.google.sync import push_outbox_once, sync_once
from service.ical import read_now, sync_due_sources
from service.operations.jobs import Jobs, task_names
from service.updates import Updates, deliver_due
from service.updates.deliver import deliver_batch as deliver_batch_now
from service.updates.marked import claim_marked, decide_marked

log = logging.getLogger("netgoals.jobs")


@dataclass(slots=True)
class Outcome:
    outcome: str
    user_id: str | None = None
    counts: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "outcome": self.outcome, **self.counts}


@contextlib.contextmanager
def _user_lock(jobs: Jobs, user_id: str) -> Iterator[bool]:
    ttl = jobs.settings.user_lock_seconds or jobs.settings.task_time_limit + 30
    lock = marks.user_lock(jobs.redis, user_id, ttl)
    try:
        held = lock.__enter__()
    except redis.RedisError:
        yield True  # no Redis, no lock: the database keeps a second run harmless
        return
    try:
        yield held
    finally:
        with contextlib.suppress(redis.RedisError):
            lock.__exit__(None, None, None)


def budget(jobs: Jobs) -> float:
    """Seconds a task may spend starting new work (a call, a person, a delivery): Celery's threads
    pool enforces no time limit, so the long tasks stop themselves. Half the task's time: what is
    in flight then finishes within its own timeout, before the user lock (the time limit + 30 s)
    or a hand-out (twice the time limit) runs out."""
    return jobs.settings.task_time_limit / 2


def _outcome(report: Report) -> Outcome:
    counts: dict[str, Any] = store.as_changes(report.counts())
    if report.error:
        counts["error"] = report.error[:200]
    return Outcome(report.status, report.user_id, counts)


def sync_user(jobs: Jobs, user_id: str) -> Outcome:
    """Pull, then plan and push, for one user; ask again at once if a request came meanwhile."""
    google = jobs.google
    if google is None:
        return Outcome("google-not-configured", user_id)
    with _user_lock(jobs, user_id) as held:
        jobs.enqueuer.started("sync", user_id)
        if not held:  # another worker is on it; the request mark stays for the sweep
            return Outcome("busy", user_id)
        report = sync_once(jobs.app, google, user_id, budget_seconds=budget(jobs))
    if report.status == "connected":
        with read_transaction(jobs.app.engine) as connection:
            found = store.connection_of(connection, user_id)
        if found is not None and found.sync_requested is not None:
            jobs.enqueuer.request("sync", user_id)  # it arrived after our pull started
    return _outcome(report)


def push_outbox(jobs: Jobs, user_id: str) -> Outcome:
    google = jobs.google
    if google is None:
        return Outcome("google-not-configured", user_id)
    with _user_lock(jobs, user_id) as held:
        jobs.enqueuer.started("push", user_id)
        if not held:
            return Outcome("busy", user_id)
        return _outcome(push_outbox_once(jobs.app, google, user_id, budget_seconds=budget(jobs)))


def renew_channels(jobs: Jobs) -> Outcome:
    """Channels expiring within a day: a sync renews them (a new channel first, then the old one
    is stopped), so this asks for one per user."""
    if jobs.google is None or not jobs.google.watch:
        return Outcome("push-disabled")
    before = (jobs.app.now() + CHANNEL_RENEW_BEFORE).timestamp()
    with read_transaction(jobs.app.engine) as connection:
        users = store.channels_expiring(connection, before)
    for user_id in users:
        jobs.enqueuer.request("sync", user_id)
    return Outcome("ok", counts={"renewing": len(users)})


def housekeeping(jobs: Jobs) -> Outcome:
    now = jobs.app.now()
    cutoff = (now - timedelta(days=jobs.settings.idempotent_answer_days)).isoformat()
    with write_transaction(jobs.app.engine) as connection:
        sessions = rows.delete_expired_sessions(connection, now.timestamp())
        answers = rows.delete_idempotent_answers_before(connection, cutoff)
        states = rows.delete_oauth_states_before(connection, now.timestamp() - 3600)
    return Outcome("ok", counts={"sessions": sessions, "answers": answers, "oauth_states": states})


def sweep(jobs: Jobs) -> Outcome:
    """Every minute: the projections' whole-log catch-up; a sync for each calendar with a pending
    request or a due poll (15 minutes without a live push channel, hourly with one), a push for
    each pending outbox. A user whose message is still queued is skipped (the mark), so a backlog
    never snowballs."""
    # Writes catch up their own person's projections; this moves the checkpoint (the low-water
    # mark) and applies whatever a write appended but did not project (a crash in between).
    # At most until the next sweep (Celery's threads pool times nothing out: sweeps must not pile
    # up behind a long backlog); the next one goes on from the checkpoint.
    projected = jobs.app.projection.catch_up(budget_seconds=min(budget(jobs), jobs.settings.sweep_seconds))
    now = jobs.app.now().timestamp()
    settings = jobs.settings
    with read_transaction(jobs.app.engine) as connection:
        calendars = store.calendars(connection)
        outbox = store.pending_outbox(connection)
    syncs = pushes = 0
    for calendar in calendars:
        if calendar.status == "reconnect-needed":
            continue  # a state for the user, not a retry storm
        if calendar.paused_until is not None and calendar.paused_until > now:
            continue
        live = calendar.push_until is not None and calendar.push_until > now
        every = 60 * (settings.poll_minutes_with_push if live else settings.poll_minutes)
        due = calendar.last_synced_at is None or now - calendar.last_synced_at >= every
        if calendar.sync_requested is not None or due:
            syncs += jobs.enqueuer.request("sync", calendar.user_id) == "sent"
        elif calendar.user_id in outbox:
            pushes += jobs.enqueuer.request("push", calendar.user_id) == "sent"
    with contextlib.suppress(redis.RedisError):
        telemetry.record_sweep(jobs.redis, syncs + pushes)
    counts = {"calendars": len(calendars), "syncs": syncs, "pushes": pushes, "projected": projected}
    return Outcome("ok", counts=counts)


def caldav(jobs: Jobs, budget_seconds: float | None = None) -> Outcome:
    """Sync every CalDAV account whose poll is due (each sync sets its next poll: 15 minutes, or
    longer after failures), one user at a time under the user lock, up to 20 a run; no sync starts
    after the task's budget (`budget`), so the accounts not reached stay due for the next run."""
    from service.caldav.context import CalDAV
    from service.caldav.sync import due_users, sync_once

    jobs.enqueuer.started(task_names().caldav, EVERYONE)  # a "sync now" from here on pokes again
    context = CalDAV.open(jobs.settings)
    stop_at = time.monotonic() + (budget(jobs) if budget_seconds is None else budget_seconds)
    due = due_users(jobs.app)
    synced = failed = 0
    for index, user_id in enumerate(due):
        if time.monotonic() >= stop_at:  # the rest stay due: the next poll takes them first
            return Outcome("ok", counts={"caldav": synced, "failed": failed, "left": len(due) - index})
        with _user_lock(jobs, user_id) as held:
            if not held:
                continue  # another worker is on this user; the next poll comes round again
            report = sync_once(jobs.app, context, user_id)
        synced += 1
        failed += report.status in ("error", "reconnect-needed")
    return Outcome("ok", counts={"caldav": synced, "failed": failed, "left": 0})


def sources(jobs: Jobs) -> Outcome:
    """Read every iCal source whose poll is due (each read commits with its new state)."""
    reports = sync_due_sources(jobs.app, jobs.settings, budget_seconds=budget(jobs))
    failed = sum(1 for r in reports if r.error)
    return Outcome("ok", counts={"sources": len(reports), "failed": failed})


def read_sources(jobs: Jobs, user_id: str) -> Outcome:
    """A person asked to read a calendar now: read their due sources (a few per message)."""
    reports = read_now.read_due(jobs, user_id)
    failed = sum(1 for r in reports if r.error)
    return Outcome("ok", user_id, {"sources": len(reports), "failed": failed})


def deliver_updates(jobs: Jobs, user_id: str) -> Outcome:
    """A person asked for a test message: send their due deliveries now."""
    jobs.enqueuer.started("updates", user_id)
    sent = deliver_due(jobs.app, Updates.open(jobs.settings), user_id, budget_seconds=budget(jobs))
    delivered = sum(1 for s in sent if s.delivered)
    return Outcome("ok", user_id, {"delivered": delivered, "not_delivered": len(sent) - delivered})


DECIDE_BATCH = 100  # people per decide task
DELIVER_CHUNK = 25  # deliveries per delivery task (one SMTP connection each)
TICK_LIMIT = 5000  # people (and deliveries) one tick hands out; the rest wait for the next tick


def progress_updates(jobs: Jobs) -> Outcome:
    """The updates tick: hand the people who are marked or due (invariant 12) to decide tasks, a
    hundred each, and the due deliveries to delivery tasks — never a walk over everyone. With nobody
    due it is two indexed queries, whoever is registered."""
    hold = float(jobs.settings.task_time_limit)  # a lost task's people are handed out again after it
    users = claim_marked(jobs.app, hold, TICK_LIMIT)
    names = task_names()
    for start in range(0, len(users), DECIDE_BATCH):
        jobs.celery.send_task(names.decide_updates, args=[users[start : start + DECIDE_BATCH]], queue=QUEUE)
    handed = dispatch_deliveries(jobs)
    return Outcome("ok", counts={"marked": len(users), "handed_out": handed})


def decide_updates(jobs: Jobs, user_ids: list[str]) -> Outcome:
    """Decide for a batch of marked people, then hand out what they were told at once. Within the
    task's budget: whoever is left stays due, and their claim runs out for the next tick."""
    context = Updates.open(jobs.settings)
    decided = decide_marked(
        jobs.app,
        context,
        user_ids,
        budget_seconds=budget(jobs),
        confirm_after_days=jobs.settings.confirm_after_days,
    )
    handed = dispatch_deliveries(jobs) if decided.deliveries else 0
    counts = {
        "decided": decided.users,
        "deliveries": decided.deliveries,
        "failed": decided.failed,
        "left": decided.left,
        "handed_out": handed,
    }
    return Outcome("ok", counts=counts)


def dispatch_deliveries(jobs: Jobs) -> int:
    """Hand the due deliveries to delivery tasks, 25 each: the digest on the bulk queue, the rest
    (a goal met, a reminder, an address to confirm) on the urgent one. A handed-out row is handed
    out again only after a task's time twice over, and each row is claimed as it is sent, so a
    lost or doubled task delays or repeats nothing."""
    hold = 2.0 * jobs.settings.task_time_limit
    with write_transaction(jobs.app.engine) as connection:
        due = update_store.hand_out(connection, jobs.app.now().timestamp(), hold, TICK_LIMIT)
    names = task_names()
    by_queue: dict[str, list[str]] = {URGENT_QUEUE: [], BULK_QUEUE: []}
    for delivery_id, kind in due:
        by_queue[BULK_QUEUE if kind == DIGEST else URGENT_QUEUE].append(delivery_id)
    for queue, ids in by_queue.items():
        for start in range(0, len(ids), DELIVER_CHUNK):
            jobs.celery.send_task(names.deliver_batch, args=[ids[start : start + DELIVER_CHUNK]], queue=queue)
    return len(due)


def deliver_batch(jobs: Jobs, delivery_ids: list[str]) -> Outcome:
    """Send a batch of deliveries over one connection (each claimed as it is sent); within the
    task's budget, the rest handed back for the next tick."""
    batch = deliver_batch_now(
        jobs.app, Updates.open(jobs.settings), delivery_ids, budget_seconds=budget(jobs)
    )
    delivered = sum(1 for s in batch.sent if s.delivered)
    counts = {
        "delivered": delivered,
        "not_delivered": len(batch.sent) - delivered,
        "passed": len(delivery_ids) - len(batch.sent) - batch.left,
        "left": batch.left,
    }
    return Outcome("ok", counts=counts)
