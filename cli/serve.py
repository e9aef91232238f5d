"""`netgoals serve`: the API, one worker and beat as child processes — and an embedded Redis when
NETGOALS_REDIS_URL is unset — until Ctrl-C, which stops them all in order within seconds. A child
that exits is started again with growing pauses (`service/operations/supervise.py`); the others keep running.

A lock file in NETGOALS_HOME makes a second `serve` on the same home refuse instead of starting a
second embedded Redis. Nothing is lost on stop: pending work is data (the outbox, sync requests),
Redis keeps an append-only file, and a task cut short is redelivered or swept up again.
"""

from __future__ import annotations

import fcntl
import os
import signal
import threading
from pathlib import Path
from typing import Annotated, Literal, TextIO

import typer

from cli import render
from service.operations import served
from service.operations.serve import (
    EmbeddedRedisMissingError,
    child_commands,
    embedded_redis,
    end_with_parent,
)
from service.operations.serve_log import ChildLog
from service.operations.supervise import Supervisor
from service.settings import Settings

STOP_ORDER = ("beat", "api", "worker")  # no new work first; the worker finishes its task last
GRACE_SECONDS = 8.0


def _lock(home: Path) -> TextIO:
    home.mkdir(parents=True, exist_ok=True)
    handle = (home / "serve.lock").open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        pid = handle.read().strip() or "?"
        handle.close()
        render.errors.print(
            f"netgoals serve is already running for {home} (pid {pid}); stop it first, or set "
            "NETGOALS_HOME to another folder"
        )
        raise typer.Exit(2) from None
    handle.truncate(0)
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def serve(
    host: Annotated[str, typer.Option(help="Address the API listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port the API listens on.")] = 8000,
    api_workers: Annotated[
        int, typer.Option(min=1, max=64, help="API processes sharing the port (about one per core).")
    ] = 1,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", help="Show the logs of the API, the worker and beat here too (the file keeps them)."
        ),
    ] = False,
    log_format: Annotated[
        Literal["text", "json"],
        typer.Option(help="The logs' format: text, or one JSON object a line for log collectors."),
    ] = "text",
) -> None:
    """Run everything: the web service, a worker and beat (and an embedded Redis). Ctrl-C stops."""
    settings = Settings()
    lock = _lock(settings.home)
    url = served.start(settings, host, port)
    redis_server = embedded_redis(settings)
    supervisor: Supervisor | None = None
    log = ChildLog(settings.home, log_format, verbose=verbose)

    def say(message: str) -> None:  # what happens to a child: said here and kept in the log
        render.errors.print(message, highlight=False)
        log.line("serve", message)

    stopping = threading.Event()
    # Ctrl-C, a `kill`, or the terminal closing (SIGHUP): each stops the children first.
    stop_on = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {s: signal.signal(s, lambda *_: stopping.set()) for s in stop_on}
    try:
        # Before the API starts: serve, not its child, says how to sign in, after all the rest.
        welcome = _sign_in(settings)
        if redis_server is not None:
            try:
                redis_server.start()
            except EmbeddedRedisMissingError as exc:
                render.errors.print(str(exc))
                raise typer.Exit(2) from None
        # The children link to where this server is reached (feeds, emails, OAuth, Google blocks).
        env = {**os.environ, "NETGOALS_HOME": str(settings.home), "NETGOALS_PUBLIC_URL": url}
        env["PYTHONUNBUFFERED"] = "1"  # into a pipe, a child's lines would otherwise arrive late
        if redis_server is not None:
            env["NETGOALS_REDIS_URL"] = settings.effective_redis_url
        supervisor = Supervisor(
            child_commands(host, port, api_workers=api_workers),
            env,
            settings.home,
            say=say,
            preexec=end_with_parent(),  # a SIGKILLed serve still takes its children with it
            log=log,
        )
        for name in supervisor.commands:
            if stopping.is_set():
                break
            supervisor.start(name)
        _say_what_runs(settings, url, redis_server is not None, log, verbose=verbose)
        for line in welcome:
            render.console.print(line, highlight=False, soft_wrap=True)
        # A child that exits is started again (with growing pauses); the others keep running.
        while not stopping.wait(0.2):
            supervisor.check()
        render.console.print("Stopping…")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop short
        try:
            if supervisor is not None:
                supervisor.stop(STOP_ORDER, GRACE_SECONDS)
            if redis_server is not None:
                redis_server.stop()
        finally:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            log.close()
            lock.close()


def _sign_in(settings: Settings) -> list[str]:
    """How the one person of a laptop signs in (nothing for a shared server: accounts are made)."""
    if not settings.embedded:
        return []
    from cli.users import local_sign_in, sign_in_lines

    return sign_in_lines(*local_sign_in(settings))


def _say_what_runs(settings: Settings, url: str, embedded: bool, log: ChildLog, *, verbose: bool) -> None:
    redis_where = f"embedded, in {settings.embedded_redis_folder}" if embedded else "NETGOALS_REDIS_URL"
    logs_where = f"{log.path}" + (" and here (--verbose)" if verbose else " (--verbose shows them here)")
    lines = [
        f"netgoals is running. Dashboard: [bold]{url}/[/bold]  (API docs: {url}/docs)",
        f"  Web service, a background worker and its scheduler (beat); Redis: {redis_where}",
        *(f"  {line}" for line in served.configured_lines(settings, url)),
        f"  Logs: {logs_where}",
        "  Ctrl-C stops everything.",
    ]
    for line in lines:
        render.console.print(line, highlight=False, soft_wrap=True)


def migrate() -> None:
    """Bring the database to the newest schema and exit (compose's one-shot `migrate` service)."""
    from service.operations.serve import migrate as run_migrations

    render.console.print(f"Database at revision {run_migrations(Settings())}.")
