"""Appending a batch of 100 events in one transaction vs raw sqlite3 executemany of the same rows
into the same schema (same table, indexes and append-only triggers).

Target: our append rate >= 0.5x the raw rate.
Run: .venv/bin/python -m bench.append [--batches 300]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench.workload import action_events
from domain.event_types.events import actions_stream
from integrations.storage.database import make_engine
from integrations.storage.event_store import EventStore, StreamAppend, encode
from integrations.storage.migrate import upgrade

BATCH = 100
INSERT = (
    "INSERT INTO events (event_id, stream_id, version, user_id, type, schema_version, data, recorded_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=300)
    args = parser.parse_args()
    user_id = str(uuid.uuid4())
    events = list(action_events(user_id, BATCH * args.batches, contacts=50, seed=1))
    batches = [events[i : i + BATCH] for i in range(0, len(events), BATCH)]
    with tempfile.TemporaryDirectory() as folder:
        ours_engine = make_engine(f"sqlite:///{Path(folder) / 'ours.db'}")
        raw_path = Path(folder) / "raw.db"
        raw_engine = make_engine(f"sqlite:///{raw_path}")
        upgrade(ours_engine)
        upgrade(raw_engine)  # the same schema, triggers and indexes
        raw_engine.dispose()
        store = EventStore(ours_engine)
        raw = sqlite3.connect(raw_path, isolation_level=None)
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=NORMAL")
        stream = actions_stream(user_id)
        ours_times, raw_times = [], []
        for number, batch in enumerate(batches):  # interleaved so machine noise hits both alike
            started = time.perf_counter()
            store.append(StreamAppend(stream, None, batch))
            ours_times.append(time.perf_counter() - started)

            started = time.perf_counter()
            recorded = datetime.now(UTC).isoformat()
            rows = [
                (
                    str(e.event_id),
                    stream,
                    number * BATCH + i + 1,
                    user_id,
                    e.type,
                    1,
                    encode(e.data),
                    recorded,
                )
                for i, e in enumerate(batch)
            ]
            raw.execute("BEGIN IMMEDIATE")
            raw.executemany(INSERT, rows)
            raw.execute("COMMIT")
            raw_times.append(time.perf_counter() - started)
        raw.close()
        ours_engine.dispose()
    ours, base = statistics.median(ours_times), statistics.median(raw_times)
    print(f"batches of {BATCH} events, {len(batches)} batches, medians")
    print(f"raw sqlite3 executemany: {base * 1e3:7.2f} ms/batch  {BATCH / base:10,.0f} events/s")
    print(f"EventStore.append:       {ours * 1e3:7.2f} ms/batch  {BATCH / ours:10,.0f} events/s")
    print(f"ratio (ours/raw rate):   {base / ours:.2f}   target >= 0.5")


if __name__ == "__main__":
    main()
