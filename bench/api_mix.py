"""The API across processes, on PostgreSQL: 16 clients, each a person of their own, send the mix a
person's browser and phone send (`GET /api/v1/progress`, the dashboard home `GET /`, `POST
/api/v1/actions`, in turn) to a real `netgoals api` with 1 process and with 2 (`--workers`); in the
same run, against the same server, the same clients send `GET /healthz` (no database: the server's
own ceiling). Rounds alternate 1 and 2 processes, so the machine's noise hits both alike.

Prints req/s and p50/p95 per kind, and the ratios 2 processes / 1 process.

Run: .venv/bin/python -m bench.api_mix [--clients 16] [--seconds 20] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.api_progress import _percentile
from bench.concurrent_writes import _PREPARE, ROOT, _env, _server
from bench.pg import scratch_database


@dataclass
class Figures:
    requests_per_s: float
    p50_ms: float
    p95_ms: float


def _browser(base: str, index: int, token: str) -> httpx.Client:
    """A person's client: signed in for the pages, with their token for the API."""
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/signin").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    form = {"email": f"p{index}@example.org", "token": token, "csrf": csrf.group(1)}
    signed = client.post("/signin", data=form)
    assert signed.status_code in (200, 303), signed.status_code
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _load(
    clients: list[httpx.Client],
    seconds: float,
    steps: list[tuple[str, Callable[[httpx.Client, int], object]]],
) -> dict[str, Figures]:
    """Each client runs the steps in turn for `seconds`; figures per step name and for all."""
    latencies: dict[str, list[float]] = {name: [] for name, _ in steps}
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def run(client: httpx.Client) -> None:
        n = 0
        while time.perf_counter() < stop:
            name, step = steps[n % len(steps)]
            begin = time.perf_counter()
            step(client, n)
            spent = time.perf_counter() - begin
            with lock:
                latencies[name].append(spent)
            n += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(run, clients))
    elapsed = time.perf_counter() - started
    every = [x for found in latencies.values() for x in found]
    figures = {name: _figures(found, elapsed) for name, found in latencies.items()}
    if len(steps) > 1:
        figures["all"] = _figures(every, elapsed)
    return figures


def _figures(latencies: list[float], elapsed: float) -> Figures:
    if not latencies:  # no request of this kind finished (a short warm-up on a loaded machine)
        return Figures(0.0, 0.0, 0.0)
    return Figures(
        len(latencies) / elapsed, statistics.median(latencies) * 1e3, _percentile(latencies, 0.95) * 1e3
    )


def _ok(response: httpx.Response) -> None:
    response.raise_for_status()


MIX: list[tuple[str, Callable[[httpx.Client, int], object]]] = [
    ("GET progress", lambda c, _n: _ok(c.get("/api/v1/progress"))),
    ("GET dashboard", lambda c, _n: _ok(c.get("/"))),
    ("POST action", lambda c, n: _ok(c.post("/api/v1/actions", json={"action": "coffee", "title": f"m{n}"}))),
]
HEALTH: list[tuple[str, Callable[[httpx.Client, int], object]]] = [
    ("GET /healthz", lambda c, _n: _ok(c.get("/healthz")))
]


def measure(processes: int, clients: int, seconds: float) -> dict[str, Figures]:
    with scratch_database() as url, tempfile.TemporaryDirectory() as home:
        env = _env(ROOT, url, Path(home))
        made = subprocess.run(
            [sys.executable, "-c", _PREPARE, str(clients)], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if made.returncode:
            raise RuntimeError(made.stderr)
        tokens: list[str] = json.loads(made.stdout.strip().splitlines()[-1])
        with _server(ROOT, env, processes) as base:
            browsers = [_browser(base, i, token) for i, token in enumerate(tokens)]
            try:
                for browser in browsers:  # something on each person's pages
                    _ok(
                        browser.post("/api/v1/goals", json={"action": "coffee", "target": 3, "frame": "week"})
                    )
                    _ok(browser.post("/api/v1/contacts", json={"name": "Grace Hopper"}))
                _load(browsers, 5, MIX)  # warm-up: each process's pool and imports
                figures = _load(browsers, seconds, MIX)
                figures.update(_load(browsers, seconds, HEALTH))
            finally:
                for browser in browsers:
                    browser.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0, help="per kind of load")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of 1 then 2 processes")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}; {args.clients} clients, {args.seconds:.0f} s per load")
    runs: dict[int, list[dict[str, Figures]]] = {1: [], 2: []}
    for _ in range(args.rounds):
        for processes in (1, 2):
            runs[processes].append(measure(processes, args.clients, args.seconds))
            print(f"\n{processes} API process(es), load average {os.getloadavg()[0]:.1f}")
            for name, f in runs[processes][-1].items():
                rate, p50, p95 = f.requests_per_s, f.p50_ms, f.p95_ms
                print(f"  {name:<14} {rate:>8.1f} req/s  p50 {p50:>7.1f} ms  p95 {p95:>7.1f} ms")
    print("\nmedians over rounds; ratio 2 processes / 1 process (req/s, p95):")
    for name in runs[1][0]:
        one = [r[name] for r in runs[1]]
        two = [r[name] for r in runs[2]]
        rate = statistics.median(f.requests_per_s for f in two) / statistics.median(
            f.requests_per_s for f in one
        )
        p95 = statistics.median(f.p95_ms for f in two) / statistics.median(f.p95_ms for f in one)
        print(f"  {name:<14} {rate:.2f}x req/s, p95 {p95:.2f}x")


if __name__ == "__main__":
    main()
