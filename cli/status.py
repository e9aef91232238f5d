"""`netgoals status`: is the machinery running — Redis, the queue, workers, beat, the last sweep —
and what work is still pending (sync requests, outbox rows); `--user NAME` adds how one account
stands (its calendar, sources and pending work). Times are in the account's zone: the one named,
else the CLI's own user (`NETGOALS_USER`), else UTC, said as such."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, tzinfo

import typer

from cli import render
from cli.common import JsonOption, UserOption, load_settings, opened
from service.operations.supervise import ServeState, read_state
from service.read_models import status as system_status
from service.read_models.account_status import AccountStatus, account_status, zone_for


def _account_lines(account: AccountStatus) -> list[str]:
    """How one account stands, its times in its zone."""
    zone = account.zone
    lines = [f"Account {account.handle} (times in {zone.key}):"]
    if account.calendar is None:
        lines.append("  Google Calendar: not connected")
    else:
        synced = render.local_time(account.last_synced_at, zone) if account.last_synced_at else "never"
        lines.append(f"  Google Calendar: {account.calendar}, last synced {synced}")
        if account.sync_requested_at is not None:
            lines.append(f"  A sync was asked for at {render.local_time(account.sync_requested_at, zone)}")
    lines.append(f"  Waiting to be shown in Google Calendar: {account.outbox_rows} block(s)")
    for source in account.sources:
        read = render.local_time(source.last_read, zone) if source.last_read else "never"
        lines.append(f"  Calendar source {source.name}: {source.status}, last read {read}")
    if not account.sources:
        lines.append("  Calendar sources: none")
    return lines


def _serve_lines(serve: ServeState, zone: tzinfo) -> list[str]:
    """One line per child of the running `netgoals serve`: running or waiting, and its restarts."""
    lines = []
    for name, child in serve.children.items():
        now = f"running (pid {child.pid})" if child.pid is not None else "not running, starting again soon"
        if child.restarts or child.last_exit:
            at = render.local_time(datetime.fromtimestamp(child.last_exit_at or 0, UTC), zone)
            now += f"; restarted {child.restarts} time(s), last exit: {child.last_exit} at {at}"
        lines.append(f"  {name}: {now}")
    return lines


def status(user: UserOption = None, as_json: JsonOption = False) -> None:
    """The queue, the workers, beat, the last sweep, pending work and quarantined events.

    With --user, how that account stands too (its calendar, sources and pending work), every time in
    its zone."""
    settings = load_settings()
    with opened() as (service, _settings):
        found = system_status.system_status(settings, service)
        account = account_status(service, user) if user else None  # an unknown account: exit 2
        zone = account.zone if account else zone_for(service, settings.user)
    serve = read_state(settings.home)
    if as_json:
        children = {n: asdict(c) for n, c in serve.children.items()} if serve else None
        mine = {"account": account.as_dict()} if account else {}
        render.print_json({**found.as_dict(), "serve": children, **mine})
        return
    shown: tzinfo = zone or UTC  # no account to take a zone from: UTC, and `local_time` says so
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
        for line in _serve_lines(serve, shown):
            render.console.print(line, soft_wrap=True)
    if t.last_sweep is not None:
        at = render.local_time(datetime.fromtimestamp(t.last_sweep, UTC), shown)
        render.console.print(f"Last sweep: {at}, {t.last_sweep_enqueued} enqueued")
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
    if account is not None:
        for line in _account_lines(account):
            render.console.print(line, soft_wrap=True, markup=False)
    if found.redis_error or not t.workers:
        raise typer.Exit(1)
