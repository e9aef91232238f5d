"""Rebuilding projections vs raw sqlite3 reading and JSON-decoding the same rows.

Target: the progress rebuild's rate >= 0.5x the baseline rate, cost linear in the number of events.
Also shown: the action index's rebuild and the full `netgoals rebuild` (both projections).
Run: .venv/bin/python -m bench.rebuild [--sizes 10000 100000 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bench.workload import fill
from integrations.storage.database import make_engine
from integrations.storage.event_store import EventStore
from integrations.storage.migrate import upgrade
from integrations.storage.projection import Projections


def baseline(path: Path) -> float:
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    cursor = connection.execute(
        "SELECT position, stream_id, type, schema_version, data FROM events ORDER BY position"
    )
    loads = json.loads
    count = 0
    while rows := cursor.fetchmany(20000):
        for row in rows:
            loads(row[4])
            count += 1
    connection.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'events':>10} {'baseline s':>11} {'progress s':>11} {'ratio':>6} {'us/event':>9}"
        f" {'index s':>8} {'full s':>7} {'full ratio':>10}"
    )
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.db"
            engine = make_engine(f"sqlite:///{path}")
            upgrade(engine)
            fill(EventStore(engine), size)
            projections = Projections(engine)
            count = EventStore(engine).head_position()
            times: dict[str, list[float]] = {"base": [], "progress": [], "index": [], "full": []}
            for _ in range(args.repeat):  # interleaved so machine noise hits all alike
                times["base"].append(baseline(path))
                for name, run in (
                    ("progress", projections.rebuild_progress),
                    ("index", projections.rebuild_action_index),
                    ("full", projections.rebuild),
                ):
                    started = time.perf_counter()
                    run()
                    times[name].append(time.perf_counter() - started)
            engine.dispose()
        base, progress, index, full = (
            statistics.median(times[k]) for k in ("base", "progress", "index", "full")
        )
        per_event = progress / count * 1e6
        print(
            f"{count:>10} {base:>11.3f} {progress:>11.3f} {base / progress:>6.2f} {per_event:>9.2f}"
            f" {index:>8.3f} {full:>7.3f} {base / full:>10.2f}"
        )


if __name__ == "__main__":
    main()
