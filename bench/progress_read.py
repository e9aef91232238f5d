"""`netgoals progress` reads the projection: its time must not grow with the log.

Measures the progress use case in-process (median of many calls) and the real CLI process
(median of a few runs) for one user with 10^3 and with 10^6 events in the log.
Run: .venv/bin/python -m bench.progress_read [--sizes 1000 1000000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.workload import fill
from integrations.storage.database import make_engine
from integrations.storage.migrate import upgrade
from service.app import App
from service.read_models import progress

NOW = datetime(2026, 11, 28, 10, tzinfo=UTC)


def measure(size: int, calls: int, runs: int) -> tuple[int, float, float]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        app = App(engine, lambda: NOW)
        [user_id] = fill(app.store, size, users=1, contacts=min(200, size // 4))
        app.projection.rebuild()
        events = app.store.head_position()
        timings = []
        for _ in range(calls):
            started = time.perf_counter()
            lines = progress.progress(app, user_id)
            timings.append(time.perf_counter() - started)
        assert lines, "the bench user has goals"
        handle = app.user(user_id).handle
        app.close()
        env = {
            **os.environ,
            "NETGOALS_DATABASE_URL": url,
            "NETGOALS_USER": handle,
            "NETGOALS_NOW": NOW.isoformat(),
        }
        cli = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "cli.main", "progress", "--json"],
                env=env,
                check=True,
                capture_output=True,
            )
            cli.append(time.perf_counter() - started)
    return events, statistics.median(timings), statistics.median(cli)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 1_000_000])
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results = [measure(size, args.calls, args.runs) for size in args.sizes]
    print(f"{'events':>10} {'use case ms':>12} {'CLI process ms':>15}")
    for events, use_case, cli in results:
        print(f"{events:>10} {use_case * 1e3:>12.2f} {cli * 1e3:>15.1f}")
    (small, small_case, small_cli), (large, large_case, large_cli) = results[0], results[-1]
    growth = f"use case {large_case / small_case:.2f}x, CLI {large_cli / small_cli:.2f}x"
    print(f"ratio {large} vs {small} events: {growth} (1.0 = does not grow with the log)")


if __name__ == "__main__":
    main()
