"""compose.yaml, run without a container engine: each service's `command` from the file, started as
a local process with the environment variable names the file gives it, against the machine's
PostgreSQL and Redis (db 11, or the xdist worker's own) and the Google fake. An attended event
in the fake calendar must become progress through those processes, with no manual sync."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import yaml
from cryptography.fernet import Fernet

from service.settings import Settings
from tests.api.live import free_port
from tests.conftest import machine_redis_url, require_redis
from tests.fakes.google_calendar import GoogleCalendarFake

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ADA = "ada@example.org"
_VARIABLE = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?error}`."""

    def value(match: re.Match[str]) -> str:
        name, kind, rest = match.groups()
        if env.get(name):
            return env[name]
        if kind == "?":
            raise AssertionError(f"compose.yaml requires {name}: {rest}")
        return rest or ""

    return _VARIABLE.sub(value, text.replace("$$", "$"))


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def test_compose_lists_every_setting_and_the_services_the_issue_asks_for() -> None:
    services = compose()["services"]
    assert {"redis", "postgres", "migrate", "api", "worker", "beat", "flower"} <= set(services)
    assert "container_name" not in services["worker"]
    assert services["flower"]["profiles"] == ["monitoring"]
    assert "noeviction" in services["redis"]["command"] and "--appendonly" in services["redis"]["command"]
    assert all("healthcheck" in services[s] for s in ("redis", "postgres", "api", "worker"))
    # A worker or beat that exits (beat on a Redis it cannot wait out) is started again.
    assert all(services[s]["restart"] == "unless-stopped" for s in ("api", "worker", "beat", "redis"))
    example = (ROOT / ".env.example").read_text()
    missing = [n for n in Settings.model_fields if f"NETGOALS_{n.upper()}=" not in example]
    assert missing == [], f".env.example lacks {missing}"
    # The worker's threads are a setting: the command's --concurrency and the worker's own settings
    # (its database pool follows them) read the same variable, with the setting's default.
    worker = services["worker"]
    command = [str(a) for a in worker["command"]]
    threads = f"${{NETGOALS_WORKER_THREADS:-{Settings.model_fields['worker_threads'].default}}}"
    assert command[command.index("--concurrency") + 1] == threads
    assert worker["environment"]["NETGOALS_WORKER_THREADS"] == threads


@contextmanager
def _processes(commands: dict[str, list[str]], env: dict[str, str], logs: Path) -> Iterator[None]:
    running: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, command in commands.items():
            out = (logs / f"{name}.log").open("wb")
            running[name] = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        yield
    finally:
        for child in running.values():
            child.send_signal(signal.SIGTERM)
        for name, child in running.items():
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            print(f"--- {name}\n" + (logs / f"{name}.log").read_text()[-2000:])


def _wait(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except (httpx.HTTPError, KeyError, IndexError):
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _command(service: dict[str, Any], env: dict[str, str]) -> list[str]:
    argv = [interpolate(str(a), env) for a in service["command"]]
    return [str(BIN / argv[0]), *argv[1:]]  # netgoals / celery from this venv


def test_compose_services_run_as_local_processes_and_sync_by_themselves(
    postgres_url: str, tmp_path: Path
) -> None:
    require_redis()
    redis_url = machine_redis_url("compose")  # db 11, or the xdist worker's own; emptied first
    redis.Redis.from_url(redis_url).flushdb()
    services = compose()["services"]
    port = free_port()
    with GoogleCalendarFake() as fake:
        fake.add_user(ADA, time_zone="Europe/Berlin")
        ours = {  # a value for each name compose.yaml lists; compose's own defaults for the rest
            "NETGOALS_HOME": str(tmp_path / "home"),
            "NETGOALS_DATABASE_URL": postgres_url,
            "NETGOALS_REDIS_URL": redis_url,
            "NETGOALS_SECRET_KEY": Fernet.generate_key().decode(),
            "NETGOALS_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "NETGOALS_API_PORT": str(port),
            "NETGOALS_GOOGLE_CLIENT_ID": fake.client_id,
            "NETGOALS_GOOGLE_CLIENT_SECRET": fake.client_secret,
            "NETGOALS_GOOGLE_AUTH_URI": fake.auth_uri,
            "NETGOALS_GOOGLE_TOKEN_URI": fake.token_uri,
            "NETGOALS_GOOGLE_REVOKE_URI": fake.revoke_uri,
            "NETGOALS_GOOGLE_API_URL": fake.api_url,
            "NETGOALS_GOOGLE_BATCH_URI": fake.batch_uri,
            "NETGOALS_SWEEP_SECONDS": "1",
            "POSTGRES_PASSWORD": "unused-here",
        }
        listed = services["api"]["environment"]
        assert set(ours) - {"NETGOALS_API_PORT", "POSTGRES_PASSWORD"} <= set(listed)
        base = {k: v for k, v in os.environ.items() if not k.startswith("NETGOALS_")}
        env = {**base, **{name: interpolate(str(value), ours) for name, value in listed.items()}}
        env["NETGOALS_DATABASE_URL"] = postgres_url  # compose's points at the `postgres` host
        env["NETGOALS_REDIS_URL"] = redis_url  # and at the `redis` host

        migrated = subprocess.run(
            _command(services["migrate"], env), env=env, capture_output=True, timeout=120
        )
        assert migrated.returncode == 0, migrated.stderr
        commands = {name: _command(services[name], {**env, **ours}) for name in ("api", "worker", "beat")}
        with _processes(commands, env, tmp_path):
            api = f"http://127.0.0.1:{port}"
            _wait(lambda: httpx.get(f"{api}/healthz", timeout=2).status_code == 200, 90, "the api")
            user = subprocess.run(
                [str(BIN / "netgoals"), "user", "add", ADA, "--timezone", "Europe/Berlin", "--json"],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert user.returncode == 0, user.stderr
            token = yaml.safe_load(user.stdout)["token"]
            auth = {"Authorization": f"Bearer {token}"}
            goal = httpx.post(f"{api}/api/v1/goals", json={"template": "monthly-event"}, headers=auth)
            assert goal.status_code == 201, goal.text
            consent = httpx.post(f"{api}/api/v1/google/connect", headers=auth).json()["url"]
            callback = httpx.get(consent).headers["location"]
            # A flow started through the API finishes only in the same user's signed-in browser.
            with httpx.Client(base_url=api) as browser:
                page = browser.get("/signin").text
                csrf = re.search(r'name="csrf" value="([^"]+)"', page)
                assert csrf is not None
                signed = browser.post("/signin", data={"email": ADA, "token": token, "csrf": csrf.group(1)})
                assert signed.status_code == 303, signed.text
                assert browser.get(callback).status_code == 303
            # The workers take it from here: the first sync (the sweep finds the request) opens
            # push channels; the meetup below reaches the API as a push notification.
            _wait(lambda: fake.active_channels(ADA), 90, "push channels opened by a worker")
            start = datetime.now(UTC) - timedelta(hours=3)
            fake.add_event(
                ADA,
                {
                    "summary": "Climate meetup",
                    "start": {"dateTime": start.isoformat()},
                    "end": {"dateTime": (start + timedelta(hours=1)).isoformat()},
                    "organizer": {"email": "host@x.org"},
                    "attendees": [
                        {"email": ADA, "responseStatus": "accepted"},
                        {"email": "host@x.org", "responseStatus": "accepted"},
                    ],
                },
            )

            def counted() -> bool:
                rows = httpx.get(f"{api}/api/v1/progress", headers=auth).json()
                return rows[0]["done"] == 1

            _wait(counted, 60, "the meetup to count as progress")
            shown = httpx.get(f"{api}/api/v1/google/sync", headers=auth).json()
            assert shown["mode"] == "push" and shown["last_outcome"] == "connected"
    redis.Redis.from_url(redis_url).flushdb()


pytestmark = pytest.mark.postgres
