"""A real `netgoals api` process on a free port with its own NETGOALS_HOME, for end-to-end tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

CLI = [sys.executable, "-m", "cli.main"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    base_url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]

    def cli(self, *args: str) -> str:
        done = subprocess.run([*CLI, *args], env=self.env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def add_user(self, email: str, timezone: str = "Europe/Berlin") -> dict[str, str]:
        found: dict[str, str] = json.loads(self.cli("user", "add", email, "--timezone", timezone, "--json"))
        return found


@contextmanager
def live_server(
    home: Path, extra_env: dict[str, str] | None = None, args: tuple[str, ...] = ()
) -> Iterator[LiveServer]:
    """`netgoals api` on a free port: the embedded store unless `extra_env` names a database."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "NETGOALS_DATABASE_URL"}
    env.update({"NETGOALS_HOME": str(home), **(extra_env or {})})
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        [*CLI, "api", "--host", "127.0.0.1", "--port", str(port), *args], env=env, stdout=log, stderr=log
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError("netgoals api exited: " + (home / "server.log").read_text())
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("netgoals api did not start: " + (home / "server.log").read_text())
            time.sleep(0.1)
        yield LiveServer(base_url, env, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
