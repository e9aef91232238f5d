"""What a worker process says about itself: plain logs (the task lines are JSON already) and a
heartbeat in Redis every few seconds, so `netgoals status` and the dashboard know whether anyone
will run queued work."""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any

from celery.signals import setup_logging, worker_ready, worker_shutdown

from service.access import log_redaction
from service.read_models import status
from service.settings import Settings

_stop = threading.Event()
HEARTBEAT_SECONDS = 10


def _logging(**_kwargs: Any) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    task_lines = logging.getLogger("netgoals.tasks")
    task_lines.handlers[:] = [handler]
    task_lines.setLevel(logging.INFO)
    task_lines.propagate = False
    other = logging.StreamHandler(sys.stderr)
    other.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [other]
    root.setLevel(logging.WARNING)


def _start_heartbeat(sender: Any = None, **_kwargs: Any) -> None:
    hostname = str(getattr(sender, "hostname", "worker"))
    client = status.redis_client(Settings())

    def beat() -> None:
        while True:
            status.heartbeat(client, hostname)
            if _stop.wait(HEARTBEAT_SECONDS):
                status.worker_gone(client, hostname)
                return

    _stop.clear()
    threading.Thread(target=beat, name="netgoals-heartbeat", daemon=True).start()


def _stop_heartbeat(**_kwargs: Any) -> None:
    _stop.set()


def connect() -> None:
    """Our logging and the heartbeat, for every worker of this process."""
    log_redaction.install()  # no capability in any worker log line either
    setup_logging.connect(_logging)
    worker_ready.connect(_start_heartbeat)
    worker_shutdown.connect(_stop_heartbeat)
