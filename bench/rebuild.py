"""Rebuilding projections vs raw reading and JSON-decoding the same rows with the bare driver.

Target: the full rebuild (`netgoals rebuild`: action index and progress, with its progress callback)
at >= 0.5x the baseline's rate, cost linear in the number of events. Also shown: the full rebuild
with the index made in Python (`py ratio`: what PostgreSQL does, and what SQLite did before it
derived the index itself), each projection rebuilt on its own, and where one more full rebuild
spends its time (`--phases`: the fold, the action index (on SQLite derived by SQLite beside the
fold; elsewhere made and written in Python), the progress views, the commit), which is what limits
the ratio. SQLite by default (raw `sqlite3`); `--postgres` runs the same on a scratch database of
the machine's PostgreSQL (raw `psycopg`), dropped afterwards.
Run: .venv/bin/python -m bench.rebuild [--sizes 10000 100000 1000000] [--repeat 3] [--postgres] [--phases]"""

from __future__ import annotations

import argparse
import functools
import json
import sqlite3
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.pg import driver_url, scratch_database
from bench.workload import fill
from integrations.storage import action_index, progress_views, sqlite_action_index
from integrations.storage.database import make_engine
from integrations.storage.event_store import EventStore
from integrations.storage.migrate import upgrade
from integrations.storage.projection import Projections

READ = "SELECT position, stream_id, type, schema_version, data FROM events ORDER BY position"


def _decode_all(cursor: object) -> int:
    loads = json.loads
    count = 0
    while rows := cursor.fetchmany(20000):  # type: ignore[attr-defined]
        for row in rows:
            loads(row[4])
            count += 1
    return count


def _on_progress(done: int, total: int) -> None:
    """What the CLI's progress bar is handed (it redraws at most a few times a second)."""


def sqlite_baseline(url: str) -> Callable[[], None]:
    path = url.removeprefix("sqlite:///")

    def run() -> None:
        connection = sqlite3.connect(path)
        _decode_all(connection.execute(READ))
        connection.close()

    return run


def postgres_baseline(url: str) -> Callable[[], None]:
    import psycopg

    def run() -> None:
        with psycopg.connect(driver_url(url)) as connection, connection.cursor() as cursor:
            cursor.execute(READ)
            _decode_all(cursor)

    return run


@contextmanager
def timing_phases() -> Iterator[dict[str, float]]:
    """While inside, the functions a rebuild calls add their wall seconds to the yielded dict: the
    real code, wrapped, not a copy of it."""
    spent: dict[str, float] = defaultdict(float)

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return run

    fold = Projections._fold
    write_progress = Projections.__dict__["_write_progress"]  # the staticmethod itself, to restore
    rows, write, derive = action_index.rows, action_index.write, sqlite_action_index.derive
    progress_rows = progress_views.rows
    Projections._fold = timed("fold", fold)  # type: ignore[method-assign]
    Projections._write_progress = staticmethod(timed("progress write", write_progress.__func__))  # type: ignore[method-assign]
    action_index.rows, action_index.write = timed("index rows", rows), timed("index write", write)
    sqlite_action_index.derive = timed("sqlite index", derive)
    progress_views.rows = timed("progress rows", progress_rows)
    try:
        yield spent
    finally:
        Projections._fold, Projections._write_progress = fold, write_progress  # type: ignore[method-assign]
        action_index.rows, action_index.write = rows, write
        sqlite_action_index.derive, progress_views.rows = derive, progress_rows


def print_phases(projections: Projections, base: float) -> None:
    with timing_phases() as spent:
        started = time.perf_counter()
        projections.rebuild(_on_progress)
        whole = time.perf_counter() - started
    # On SQLite the index is derived by SQLite on another thread while this one folds the log and
    # computes the progress rows: the longer of the two sets the pace. The rest is the commit.
    if "sqlite index" in spent:
        beside = ("fold", "progress rows", "sqlite index")
        side_by_side = max(spent["fold"] + spent["progress rows"], spent["sqlite index"])
    else:
        beside, side_by_side = (), 0.0
    in_turn = sum(seconds for name, seconds in spent.items() if name not in beside)
    spent["commit"] = whole - side_by_side - in_turn
    shown = ", ".join(
        f"{name} {seconds:.3f} s ({seconds / base:.2f}x base)" for name, seconds in spent.items()
    )
    print(f"{'':>10} phases of one more rebuild ({whole:.3f} s): {shown}")
    if "sqlite index" in spent:
        print(f"{'':>10} fold + progress rows beside the SQLite index: {side_by_side:.3f} s of it")


def rebuild_with_python_index(projections: Projections) -> None:
    """The full rebuild as it runs where SQLite cannot derive the index (PostgreSQL, an in-memory
    database): the index made from the fold's facts. On SQLite, the figure to compare with."""
    available = sqlite_action_index.available
    sqlite_action_index.available = lambda _engine: False  # type: ignore[assignment]
    try:
        projections.rebuild(_on_progress)
    finally:
        sqlite_action_index.available = available


@contextmanager
def store(postgres: bool) -> Iterator[str]:
    if postgres:
        with scratch_database() as url:
            yield url
    else:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="on a scratch PostgreSQL database")
    parser.add_argument("--phases", action="store_true", help="time the phases of one more rebuild")
    args = parser.parse_args()
    print(
        f"engine: {'PostgreSQL (psycopg)' if args.postgres else 'SQLite (sqlite3)'}; medians of {args.repeat}"
    )
    # On SQLite all the work is in this process, so CPU seconds (process_time) show the ratio a
    # quiet machine would see; wall seconds also carry the disk and the other processes' noise.
    cpu_note = "" if args.postgres else f" {'cpu ratio':>9}"
    print(
        f"{'events':>10} {'baseline s':>11} {'rebuild s':>10} {'ratio':>6} {'us/event':>9}"
        f" {'py ratio':>9} {'progress s':>11} {'p ratio':>8} {'index s':>8}{cpu_note}"
    )
    for size in args.sizes:
        with store(args.postgres) as url:
            engine = make_engine(url)
            upgrade(engine)
            fill(EventStore(engine), size)
            baseline = (postgres_baseline if args.postgres else sqlite_baseline)(url)
            projections = Projections(engine)
            count = EventStore(engine).head_position()
            full = functools.partial(projections.rebuild, _on_progress)  # as `netgoals rebuild`: a bar
            in_python = functools.partial(rebuild_with_python_index, projections)
            times: dict[str, list[float]] = {
                "base": [],
                "full": [],
                "python": [],
                "progress": [],
                "index": [],
            }
            cpu: dict[str, list[float]] = {"base": [], "full": []}
            for _ in range(args.repeat):  # interleaved so machine noise hits all alike
                for name, run in (
                    ("base", baseline),
                    ("full", full),
                    ("python", full if args.postgres else in_python),  # PostgreSQL: the same rebuild
                    ("progress", projections.rebuild_progress),
                    ("index", projections.rebuild_action_index),
                ):
                    started, used = time.perf_counter(), time.process_time()
                    run()
                    times[name].append(time.perf_counter() - started)
                    if name in cpu:
                        cpu[name].append(time.process_time() - used)
            base, whole, python, progress, index = (
                statistics.median(times[k]) for k in ("base", "full", "python", "progress", "index")
            )
            if args.phases:
                print_phases(projections, base)
            engine.dispose()
        cpu_ratio = (
            ""
            if args.postgres
            else f" {statistics.median(cpu['base']) / statistics.median(cpu['full']):>9.2f}"
        )
        print(
            f"{count:>10} {base:>11.3f} {whole:>10.3f} {base / whole:>6.2f} {whole / count * 1e6:>9.2f}"
            f" {base / python:>9.2f} {progress:>11.3f} {base / progress:>8.2f} {index:>8.3f}{cpu_ratio}"
        )


if __name__ == "__main__":
    main()
