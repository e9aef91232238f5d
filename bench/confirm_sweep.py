"""The confirmation sweep folds a user's actions stream: its cost against reading that stream.

One user with N events (the benchmark mix) plus 100 planned blocks that have passed; the baseline
is `read_stream` of the same actions stream (decoding every payload), measured in the same run.
"full" is a sweep that must fold (its cache cleared), "nothing new" the common case: no new
event and no deadline crossed since the last sweep.
Run: .venv/bin/python -m bench.confirm_sweep [--sizes 1000 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from sqlalchemy import delete

from bench.workload import fill
from domain.event_types import events as ev
from domain.event_types.events import Event, actions_stream
from integrations.storage import block_sweeps
from integrations.storage.database import make_engine, write_transaction
from integrations.storage.migrate import upgrade
from service.app import App
from service.tracking import confirmation

NOW = datetime(2026, 11, 28, 10, tzinfo=UTC)


def measure(size: int, repeat: int) -> tuple[int, float, float, float]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(engine)
        app = App(engine, lambda: NOW)
        [user_id] = fill(app.store, size, users=1, contacts=min(200, size // 4))
        app.projection.rebuild()
        blocks = []
        for index in range(100):
            start = NOW - timedelta(days=1, hours=index)
            data = {
                "action_id": str(uuid4()),
                "goal_id": None,
                "kind": "attend-event",
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=30)).isoformat(),
                "title": "Networking",
            }
            blocks.append(Event(ev.ACTION_PLANNED, data))
        app.append_actions(user_id, blocks)
        confirmation.sweep(app, user_id)  # the cut-over, once
        events = len(app.store.read_stream(actions_stream(user_id)))
        base, sweep, cached = [], [], []
        for _ in range(repeat):
            started = time.perf_counter()
            app.store.read_stream(actions_stream(user_id))
            base.append(time.perf_counter() - started)
            with write_transaction(app.engine) as connection:
                connection.execute(delete(block_sweeps.block_sweeps))
            started = time.perf_counter()
            assert confirmation.sweep(app, user_id) == []
            sweep.append(time.perf_counter() - started)
            started = time.perf_counter()
            assert confirmation.sweep(app, user_id) == []
            cached.append(time.perf_counter() - started)
        app.close()
        return events, statistics.median(base), statistics.median(sweep), statistics.median(cached)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| actions-stream events | read_stream ms | full sweep ms | ratio full/read | nothing new ms |")
    print("|---|---|---|---|---|")
    for size in args.sizes:
        events, base, sweep, cached = measure(size, args.repeat)
        ratio = sweep / base
        print(f"| {events:,} | {base * 1000:.1f} | {sweep * 1000:.1f} | {ratio:.2f} | {cached * 1000:.2f} |")


if __name__ == "__main__":
    main()
