"""`netgoals status`: is the machinery running — Redis, the queue, workers, beat, the last sweep —
and what work is still pending (sync requests, outbox rows)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

import typer

from cli import render
from cli.common import JsonOption
from service import status as system_status
from service.app import App
from service.settings import Settings
from service.supervise import ServeState, read_state


def _serve_lines(serve: ServeState) -> list[str]:
    """One line per child of the running `netgoals serve`: running or waiting, and its restarts."""
    lines = []
    for name, child in serve.children.items():
        now = f"running (pid {child.pid})" if child.pid is not None else "not running, starting again soon"
        if child.restarts or child.last_exit:
            at = datetime.fromtimestamp(child.last_exit_at or 0, UTC)
            now += f"; restarted {child.restarts} time(s), last exit: {child.last_exit} at {at:%H:%M:%S} UTC"
        lines.append(f"  {name}: {now}")
    return lines


def status(as_json: JsonOption = False) -> None:
    """The queue, the workers, beat, the last sweep, pending work and quarantined events."""
    settings = Settings()
    service = App.open(settings)
    try:
        found = system_status.system_status(settings, service)
    finally:
        service.close()
    serve = read_state(settings.home)
    if as_json:
        children = {n: asdict(c) for n, c in serve.children.items()} if serve else None
        render.print_json({**found.as_dict(), "serve": children})
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
    if serve is not None:
        render.console.print(f"netgoals serve (pid {serve.pid}):")
        for line in _serve_lines(serve):
            render.console.print(line, soft_wrap=True)
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
