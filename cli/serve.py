"""`netgoals serve`: the API, one worker and beat as child processes — and an embedded Redis when
NETGOALS_REDIS_URL is unset — until Ctrl-C, which stops them all in order within seconds.

A lock file in NETGOALS_HOME makes a second `serve` on the same home refuse instead of starting a
second embedded Redis. Nothing is lost on stop: pending work is data (the outbox, sync requests),
Redis keeps an append-only file, and a task cut short is redelivered or swept up again.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import threading
from pathlib import Path
from typing import Annotated, TextIO

import typer

from cli import render
from service import served
from service.serve import EmbeddedRedisMissingError, child_commands, embedded_redis, end_with_parent
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


def _stop(children: dict[str, subprocess.Popen[bytes]]) -> None:
    for name in STOP_ORDER:
        child = children.get(name)
        if child is None or child.poll() is not None:
            continue
        child.send_signal(signal.SIGTERM)  # celery: warm shutdown; uvicorn: graceful
        try:
            child.wait(GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()  # its task is redelivered or swept up again: nothing is lost
            child.wait()


def serve(
    host: Annotated[str, typer.Option(help="Address the API listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port the API listens on.")] = 8000,
) -> None:
    """Run everything: the web service, a worker and beat (and an embedded Redis). Ctrl-C stops."""
    settings = Settings()
    lock = _lock(settings.home)
    url = served.start(settings, host, port)
    redis_server = embedded_redis(settings)
    children: dict[str, subprocess.Popen[bytes]] = {}

    stopping = threading.Event()
    # Ctrl-C, a `kill`, or the terminal closing (SIGHUP): each stops the children first.
    stop_on = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {s: signal.signal(s, lambda *_: stopping.set()) for s in stop_on}
    try:
        if redis_server is not None:
            try:
                redis_server.start()
            except EmbeddedRedisMissingError as exc:
                render.errors.print(str(exc))
                raise typer.Exit(2) from None
        # The children link to where this server is reached (feeds, emails, OAuth, Google blocks).
        env = {**os.environ, "NETGOALS_HOME": str(settings.home), "NETGOALS_PUBLIC_URL": url}
        if redis_server is not None:
            env["NETGOALS_REDIS_URL"] = settings.effective_redis_url
        tie = end_with_parent()  # a SIGKILLed serve still takes its children with it
        for name, command in child_commands(host, port).items():
            if stopping.is_set():
                break
            # Own process groups: Ctrl-C reaches us alone, and we stop the children in order.
            children[name] = subprocess.Popen(  # noqa: S603
                command,
                env=env,
                start_new_session=True,
                preexec_fn=tie,  # runs in the child before exec: two system calls
            )
        where = (
            "embedded, in " + str(settings.embedded_redis_folder) if redis_server else "NETGOALS_REDIS_URL"
        )
        render.console.print(
            f"netgoals serve: http://{host}:{port}/ with a worker and beat (Redis: {where}). Ctrl-C stops."
        )
        for line in served.configured_lines(settings, url):
            render.console.print(f"  {line}", highlight=False, soft_wrap=True)
        while not stopping.wait(0.2):
            for name, child in children.items():
                if child.poll() is not None:
                    render.errors.print(f"the {name} process exited ({child.returncode}); stopping")
                    raise typer.Exit(1)
        render.console.print("Stopping…")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop short
        try:
            _stop(children)
            if redis_server is not None:
                redis_server.stop()
        finally:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            lock.close()


def migrate() -> None:
    """Bring the database to the newest schema and exit (compose's one-shot `migrate` service)."""
    from service.serve import migrate as run_migrations

    render.console.print(f"Database at revision {run_migrations(Settings())}.")
