"""Appending on PostgreSQL, against raw psycopg into the same schema (scratch databases on the
machine's server, dropped afterwards).

1. One writer, batches of 100 events in one transaction: `EventStore.append` (advisory lock,
   idempotency check, version check, insert) vs raw psycopg `executemany` and `COPY` of the same
   rows. Target: our rate >= 0.5x executemany.
2. Eight writers for eight users at once (processes, as eight API workers would be), each appending
   small batches: throughput and p95 per append, for our append and for raw executemany with and
   without the same advisory transaction lock, so the lock's cost shows on its own.

Run: .venv/bin/python -m bench.pg_append [--batches 200] [--writers 8] [--appends 100]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import psycopg

from bench.pg import driver_url, scratch_database
from bench.workload import action_events
from domain.event_types.events import NewEvent, actions_stream
from integrations.storage.database import APPEND_LOCK_KEY, make_engine
from integrations.storage.event_store import EventStore, StreamAppend, encode
from integrations.storage.migrate import upgrade

COLUMNS = "event_id, stream_id, version, user_id, type, schema_version, data, recorded_at"
INSERT = f"INSERT INTO events ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
COPY = f"COPY events ({COLUMNS}) FROM STDIN"


def _rows(events: list[NewEvent], stream: str, user_id: str, first_version: int) -> list[tuple[Any, ...]]:
    recorded = datetime.now(UTC).isoformat()
    return [
        (str(e.event_id), stream, first_version + i, user_id, e.type, 1, encode(e.data), recorded)
        for i, e in enumerate(events)
    ]


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def single_writer(batches: int, size: int, phases: bool = False) -> None:
    """`phases`: each method runs all its batches before the next one starts (see below)."""
    user_id = str(uuid.uuid4())
    events = list(action_events(user_id, size * batches, contacts=50, seed=1))
    chunks = [events[i : i + size] for i in range(0, len(events), size)]
    stream = actions_stream(user_id)
    with scratch_database() as ours_url, scratch_database() as raw_url:
        for url in (ours_url, raw_url):  # the same schema, rules and indexes
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
        engine = make_engine(ours_url)
        store = EventStore(engine)
        times: dict[str, list[float]] = {"ours": [], "executemany": [], "copy": []}
        with psycopg.connect(driver_url(raw_url)) as raw:
            # Blocks of ten batches per method, in turn: noise still hits all alike, but no method's
            # batch runs right after another connection's commit (which, batch by batch, was seen to
            # add a steady ~40 ms to whichever connection came next).
            block = len(chunks) if phases else 10
            for first in range(0, len(chunks), block):
                part = chunks[first : first + block]
                for chunk in part:
                    started = time.perf_counter()
                    store.append(StreamAppend(stream, None, chunk))
                    times["ours"].append(time.perf_counter() - started)
                for offset, chunk in enumerate(part):
                    version = (first + offset) * size
                    started = time.perf_counter()
                    rows = _rows(chunk, stream, user_id, version + 1)
                    with raw.transaction(), raw.cursor() as cursor:
                        cursor.executemany(INSERT, rows)
                    times["executemany"].append(time.perf_counter() - started)
                for offset, chunk in enumerate(part):
                    # COPY into the same table: the same rows under another stream (versions stay unique).
                    version = (first + offset) * size
                    started = time.perf_counter()
                    fresh = [NewEvent(uuid.uuid4(), e.type, e.data) for e in chunk]
                    rows = _rows(fresh, stream + "c", user_id, version + 1)
                    with raw.transaction(), raw.cursor() as cursor, cursor.copy(COPY) as copy:
                        for row in rows:
                            copy.write_row(row)
                    times["copy"].append(time.perf_counter() - started)
        engine.dispose()
    base = statistics.median(times["executemany"])
    order = "one method after the other" if phases else "in turns of ten batches"
    print(f"one writer, batches of {size} events, {len(chunks)} batches ({order}), medians")
    print(f"{'':<28} {'ms/batch':>9} {'events/s':>10} {'vs executemany':>15}")
    for name, label in (
        ("copy", "raw psycopg COPY"),
        ("executemany", "raw psycopg executemany"),
        ("ours", "EventStore.append"),
    ):
        median = statistics.median(times[name])
        print(f"{label:<28} {median * 1e3:>9.2f} {size / median:>10,.0f} {base / median:>15.2f}")
    print(f"ratio ours/executemany: {base / statistics.median(times['ours']):.2f}   target >= 0.5")


def _writer(kind: str, url: str, appends: int, size: int, start: Any, results: Any) -> None:
    user_id = str(uuid.uuid4())
    stream = actions_stream(user_id)
    events = list(action_events(user_id, appends * size, contacts=20, seed=hash(user_id) % 1000))
    chunks = [events[i : i + size] for i in range(0, len(events), size)]
    latencies: list[float] = []
    lock_waits: list[float] = []
    if kind == "ours":
        engine = make_engine(url)
        store = EventStore(engine)
        store.stream_version(stream)  # connect before the start
        start.wait()
        began = time.perf_counter()
        for chunk in chunks:
            started = time.perf_counter()
            store.append(StreamAppend(stream, None, chunk))
            latencies.append(time.perf_counter() - started)
        elapsed = time.perf_counter() - began
        engine.dispose()
    else:
        with psycopg.connect(driver_url(url)) as raw:
            start.wait()
            began = time.perf_counter()
            version = 0
            for chunk in chunks:
                started = time.perf_counter()
                rows = _rows(chunk, stream, user_id, version + 1)
                with raw.transaction(), raw.cursor() as cursor:
                    if kind == "raw+lock":
                        cursor.execute(f"SELECT pg_advisory_xact_lock({APPEND_LOCK_KEY})")
                        lock_waits.append(time.perf_counter() - started)
                    cursor.executemany(INSERT, rows)
                latencies.append(time.perf_counter() - started)
                version += len(chunk)
            elapsed = time.perf_counter() - began
    results.put((latencies, lock_waits, elapsed))


def concurrent_writers(writers: int, appends: int, size: int) -> None:
    print(f"\n{writers} writers for {writers} users at once, {appends} appends of {size} events each")
    print(f"{'':<34} {'events/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'lock wait p95 ms':>17}")
    context = multiprocessing.get_context("spawn")
    for kind, label in (
        ("raw", "raw executemany, no lock"),
        ("raw+lock", "raw executemany + advisory lock"),
        ("ours", "EventStore.append"),
    ):
        with scratch_database() as url:
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
            start, results = context.Barrier(writers), context.Queue()
            processes = [
                context.Process(target=_writer, args=(kind, url, appends, size, start, results))
                for _ in range(writers)
            ]
            for process in processes:
                process.start()
            found = [results.get(timeout=600) for _ in processes]
            for process in processes:
                process.join()
        latencies = [x for lat, _, _ in found for x in lat]
        waits = [x for _, wait, _ in found for x in wait]
        elapsed = max(e for _, _, e in found)
        rate = writers * appends * size / elapsed
        wait = f"{_p95(waits) * 1e3:>17.2f}" if waits else f"{'':>17}"
        print(
            f"{label:<34} {rate:>10,.0f} {statistics.median(latencies) * 1e3:>8.2f}"
            f" {_p95(latencies) * 1e3:>8.2f} {wait}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--appends", type=int, default=100, help="per writer")
    parser.add_argument("--writer-batch", type=int, default=10, help="events per concurrent append")
    parser.add_argument("--phases", action="store_true", help="one writer: each method's batches in a row")
    args = parser.parse_args()
    single_writer(args.batches, args.batch, args.phases)
    concurrent_writers(args.writers, args.appends, args.writer_batch)


if __name__ == "__main__":
    main()
