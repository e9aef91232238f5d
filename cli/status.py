"""`netgoals status`: is the machinery running — Redis, the queue, workers, beat, the last sweep —
and what work is still pending (sync requests, outbox rows)."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from cli import render
from cli.common import JsonOption
from service import status as system_status
from service.app import App
from service.settings import Settings


def status(as_json: JsonOption = False) -> None:
    """The queue, the workers, beat, the last sweep, pending work and quarantined events."""
    settings = Settings()
    service = App.open(settings)
    try:
        found = system_status.system_status(settings, service)
    finally:
        service.close()
    if as_json:
        render.print_json(found.as_dict())
        return
    t = found.telemetry
    redis_line = f"Redis: {found.redis}" + (
        f" — unreachable ({found.redis_error})" if found.redis_error else ""
    )
    render.console.print(redis_line, soft_wrap=True)
    render.console.print(f"Queue: {t.queue_length} message(s) waiting")
    workers = ", ".join(sorted(t.workers)) or "none running"
    render.console.print(f"Workers: {workers}")
    render.console.print(f"Beat: {'running' if t.beat_alive else 'not running'}")
    if t.last_sweep is not None:
        at = datetime.fromtimestamp(t.last_sweep, UTC)
        render.console.print(f"Last sweep: {at:%Y-%m-%d %H:%M:%S} UTC, {t.last_sweep_enqueued} enqueued")
    else:
        render.console.print("Last sweep: never")
    oldest = found.oldest_request_seconds
    render.console.print(
        f"Pending: {found.requested} sync request(s)"
        + (f", the oldest {oldest:.0f} s old" if oldest is not None else "")
        + f"; {found.outbox_rows} outbox row(s) for {found.outbox_users} user(s)"
    )
    held = sum(found.quarantined.values())
    if held:
        by = ", ".join(f"{n} in {name}" for name, n in sorted(found.quarantined.items()))
        render.console.print(
            f"Quarantined: {held} event(s) the projections could not apply ({by})", soft_wrap=True
        )
        for event in found.quarantined_first:
            render.console.print(f"  {event.line()}", soft_wrap=True, markup=False)
        if held > len(found.quarantined_first):
            render.console.print(f"  … and {held - len(found.quarantined_first)} more")
        render.console.print("  Fix the cause, then `netgoals rebuild` applies them (or names them again).")
    else:
        render.console.print("Quarantined: none")
    if found.redis_error or not t.workers:
        raise typer.Exit(1)
