"""`GET /api/v1/progress` for a user with 10^5 events in the log, against a trivial authenticated
endpoint (`GET /api/v1/me`) on the same real uvicorn server, in the same run. Target: ratio <= 2 on
SQLite, <= 1.5 on PostgreSQL (`--postgres`: a scratch database on the machine's server, dropped
after; or `--database-url URL` of an empty database).

Run: .venv/bin/python -m bench.api_progress [--events 100000] [--requests 400] [--postgres]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.pg import scratch_database
from bench.workload import NOW, fill
from integrations.storage.database import make_engine
from integrations.storage.migrate import upgrade
from service.access import accounts
from service.app import App


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _prepare(url: str, events: int) -> tuple[str, int]:
    engine = make_engine(url)
    upgrade(engine)
    app = App(engine, lambda: NOW)
    [user_id] = fill(app.store, events, users=1, contacts=200)
    app.projection.rebuild()
    token = accounts.issue_token(app, user_id)
    total = app.store.head_position()
    app.close()
    return token, total


def _serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "NETGOALS_DATABASE_URL": url, "NETGOALS_NOW": NOW.isoformat()}
    env.setdefault("NETGOALS_SECRET_KEY", "benchmark passphrase, not a secret")
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "api", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the API server did not start")


@contextmanager
def _database(args: argparse.Namespace) -> Iterator[str]:
    if args.database_url:
        yield args.database_url
    elif args.postgres:
        with scratch_database() as url:
            yield url
    else:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400, help="per endpoint")
    parser.add_argument("--postgres", action="store_true", help="on a scratch PostgreSQL database")
    parser.add_argument("--database-url", help="an empty database to fill (SQLAlchemy URL)")
    args = parser.parse_args()
    with _database(args) as url:
        print(f"engine: {url.partition(':')[0]}")
        started = time.perf_counter()
        token, total = _prepare(url, args.events)
        print(f"log: {total} events for one user (built in {time.perf_counter() - started:.1f} s)")
        process, base = _serve(url)
        try:
            timings: dict[str, list[float]] = {"/api/v1/me": [], "/api/v1/progress": []}
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
                for path in timings:  # warm up both
                    for _ in range(20):
                        client.get(path).raise_for_status()
                lines = len(client.get("/api/v1/progress").json())
                for _ in range(args.requests):  # interleaved, so both see the same conditions
                    for path, samples in timings.items():
                        begin = time.perf_counter()
                        client.get(path).raise_for_status()
                        samples.append(time.perf_counter() - begin)
        finally:
            process.terminate()
            process.wait(timeout=10)
    me, progress = timings["/api/v1/me"], timings["/api/v1/progress"]
    print(f"{'endpoint':<20} {'p50 ms':>8} {'p95 ms':>8}   ({args.requests} requests each, {lines} goals)")
    for name, samples in (("GET /api/v1/me", me), ("GET /api/v1/progress", progress)):
        print(f"{name:<20} {statistics.median(samples) * 1e3:>8.2f} {_percentile(samples, 0.95) * 1e3:>8.2f}")
    p50 = statistics.median(progress) / statistics.median(me)
    p95 = _percentile(progress, 0.95) / _percentile(me, 0.95)
    target = 2.0 if url.startswith("sqlite") else 1.5
    verdict = "met" if max(p50, p95) <= target else "MISSED"
    print(f"ratio progress/me: p50 {p50:.2f}x, p95 {p95:.2f}x (target <= {target}: {verdict})")


if __name__ == "__main__":
    main()
