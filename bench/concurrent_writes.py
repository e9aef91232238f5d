"""Concurrent writers on PostgreSQL: `POST /api/v1/actions` from 1, 4 and 16 clients, each logging
for a person of their own, against a real `netgoals api`; the same run measures a baseline — the
code of another revision (by default where this branch left main), unpacked with `git archive` to a
scratch folder and served the same way on its own scratch database.

For each: writes/s and p50/p95 per client count, PostgreSQL backends waiting on a lock (sampled
every 20 ms from pg_stat_activity: mean and max), new connections/s (pg_stat_database.sessions),
and server-side transactions per POST and per dashboard home page (pg_stat_database.xact_commit:
each pool checkout adds one, the pool's pre-ping `SELECT 1` in autocommit).

Run: .venv/bin/python -m bench.concurrent_writes [--baseline REV] [--workers 1] [--requests 160]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import httpx
import psycopg

from bench.api_progress import _free_port, _percentile
from bench.pg import ADMIN_URL, driver_url, scratch_database

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = (1, 4, 16)
PEOPLE = max(CLIENTS)
# Made by the code under test, so each revision registers people its own way.
_PREPARE = """
import json, sys
from service.access import accounts
from service.app import App
from service.settings import Settings
app = App.open(Settings())
print(json.dumps([accounts.add_user(app, f"p{i}@example.org", "Europe/Berlin").token
                  for i in range(int(sys.argv[1]))]))
"""


@dataclass
class Level:
    clients: int
    writes_per_s: float
    p50_ms: float
    p95_ms: float
    waiting_mean: float
    waiting_max: int
    row_waits_mean: float  # of those, waiting on a row (the checkpoint's), not the append lock
    connections_per_s: float


@dataclass
class Result:
    name: str
    levels: list[Level] = field(default_factory=list)
    tx_per_post: float = 0.0
    tx_per_home: float = 0.0


@contextmanager
def _code(revision: str | None) -> Iterator[Path]:
    """The source tree to serve: this one, or `revision` unpacked to a scratch folder."""
    if revision is None:
        yield ROOT
        return
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True, check=True).stdout
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        yield Path(folder)


def _env(root: Path, url: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETGOALS_")}
    env.update(
        PYTHONPATH=str(root),  # ahead of this checkout's editable install
        PYTHONDONTWRITEBYTECODE="1",
        NETGOALS_DATABASE_URL=url,
        NETGOALS_HOME=str(home),
        NETGOALS_SECRET_KEY="benchmark passphrase, not a secret",
    )
    return env


@contextmanager
def _server(root: Path, env: dict[str, str], workers: int) -> Iterator[str]:
    port = _free_port()
    command = [sys.executable, "-m", "cli.main", "api", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the API server did not start")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


class _Stats:
    """The scratch database's counters and its lock waiters, read from the admin database."""

    def __init__(self, url: str) -> None:
        self.database = url.rsplit("/", 1)[1]
        self.admin = psycopg.connect(driver_url(ADMIN_URL), autocommit=True)

    def counters(self) -> tuple[int, int]:
        """(transactions committed or rolled back, sessions opened), once PostgreSQL has flushed them."""
        time.sleep(11)  # an idle backend flushes its counters within 10 s (PostgreSQL 15)
        self.admin.execute("SELECT pg_stat_clear_snapshot()")
        row = self.admin.execute(
            "SELECT xact_commit + xact_rollback, sessions FROM pg_stat_database WHERE datname = %s",
            (self.database,),
        ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1])

    def waiting(self) -> tuple[int, int]:
        """Backends waiting on a lock: all, and those waiting on a row (a tuple or a transaction)
        rather than an advisory lock (the append lock that keeps commit order, invariant 4)."""
        row = self.admin.execute(
            "SELECT count(*), count(*) FILTER (WHERE wait_event IN ('tuple', 'transactionid'))"
            " FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
            (self.database,),
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)


def _level(base: str, tokens: list[str], clients: int, requests: int, stats: _Stats) -> Level:
    latencies: list[float] = []
    samples: list[tuple[int, int]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(stats.waiting())
            time.sleep(0.02)

    def client(index: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[index]}"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            for n in range(requests // clients):
                begin = time.perf_counter()
                body = {"action": "attend-event", "title": f"m{n}"}
                http.post("/api/v1/actions", json=body).raise_for_status()
                latencies.append(time.perf_counter() - begin)

    _, sessions_before = stats.counters()
    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    _, sessions_after = stats.counters()
    return Level(
        clients,
        len(latencies) / elapsed,
        statistics.median(latencies) * 1e3,
        _percentile(latencies, 0.95) * 1e3,
        statistics.mean(s[0] for s in samples) if samples else 0.0,
        max((s[0] for s in samples), default=0),
        statistics.mean(s[1] for s in samples) if samples else 0.0,
        (sessions_after - sessions_before) / elapsed,
    )


def _per_request(stats: _Stats, requests: int, run: Callable[[], object]) -> float:
    before, _ = stats.counters()
    for _ in range(requests):
        run()
    after, _ = stats.counters()
    return (after - before) / requests


def _signed_in(base: str, token: str) -> httpx.Client:
    browser = httpx.Client(base_url=base, timeout=30)
    page = browser.get("/signin").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    signed = browser.post("/signin", data={"email": "p0@example.org", "token": token, "csrf": csrf.group(1)})
    assert signed.status_code in (200, 303), signed.status_code
    return browser


def measure(name: str, revision: str | None, workers: int, requests: int) -> Result:
    result = Result(name)
    with _code(revision) as root, scratch_database() as url, tempfile.TemporaryDirectory() as home:
        env = _env(root, url, Path(home))
        made = subprocess.run(
            [sys.executable, "-c", _PREPARE, str(PEOPLE)], cwd=root, env=env, capture_output=True, text=True
        )
        if made.returncode:
            raise RuntimeError(made.stderr)
        tokens: list[str] = json.loads(made.stdout.strip().splitlines()[-1])
        stats = _Stats(url)
        with _server(root, env, workers) as base:
            for token in tokens:
                goal = httpx.post(
                    f"{base}/api/v1/goals",
                    json={"template": "monthly-event"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                goal.raise_for_status()
            for clients in CLIENTS:
                result.levels.append(_level(base, tokens, clients, requests, stats))
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens[0]}"}) as api:
                body = {"action": "attend-event"}
                result.tx_per_post = _per_request(stats, 40, lambda: api.post("/api/v1/actions", json=body))
            browser = _signed_in(base, tokens[0])
            try:
                result.tx_per_home = _per_request(stats, 40, lambda: browser.get("/").raise_for_status())
            finally:
                browser.close()
        stats.admin.close()
    return result


def _print(result: Result) -> None:
    print(f"\n{result.name}: server transactions {result.tx_per_post:.1f} per POST,", end=" ")
    print(f"{result.tx_per_home:.1f} per home page")
    header = f"{'clients':>7} {'writes/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'lock waiters':>14}"
    print(f"{header} {'on a row':>9} {'new conn/s':>11}")
    for level in result.levels:
        waiting = f"{level.waiting_mean:.1f} (max {level.waiting_max})"
        print(
            f"{level.clients:>7} {level.writes_per_s:>9.1f} {level.p50_ms:>8.1f} {level.p95_ms:>8.1f}"
            f" {waiting:>14} {level.row_waits_mean:>9.1f} {level.connections_per_s:>11.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline", default="main", help="compare with its merge base with HEAD")
    parser.add_argument("--workers", type=int, default=1, help="API processes (--workers)")
    parser.add_argument("--requests", type=int, default=160, help="POSTs per client count")
    args = parser.parse_args()
    base_revision = subprocess.run(
        ["git", "merge-base", "HEAD", args.baseline], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    before = measure(f"baseline {base_revision[:10]}", base_revision, 1, args.requests)
    after = measure(f"this tree, {args.workers} API process(es)", None, args.workers, args.requests)
    for result in (before, after):
        _print(result)
    print("\nratio this tree / baseline (writes/s, p95):")
    for old, new in zip(before.levels, after.levels, strict=True):
        print(
            f"  {new.clients:>2} clients: {new.writes_per_s / old.writes_per_s:.2f}x writes/s,"
            f" p95 {new.p95_ms / old.p95_ms:.2f}x"
        )


if __name__ == "__main__":
    main()
