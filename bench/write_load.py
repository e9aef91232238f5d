"""Writing an action must not slow down as one goal's period fills.

One user with a monthly goal; the period (the current month) is filled with 10^2, 10^4 and 10^5
actions, and each size then logs new actions through the use case (what `POST /api/v1/actions`
runs: decide, append, project). Prints writes per second (median of the timed writes) against a
fresh goal measured in the same run (the stores take turns, one write each). Target: every size
≥ 0.8× the fresh figure.
Run: .venv/bin/python -m bench.write_load [--sizes 100 10000 100000] [--writes 100]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain import decisions
from domain.decisions import GoalSpec
from integrations.storage.database import make_engine
from integrations.storage.migrate import upgrade
from service.access import users
from service.app import App
from service.tracking import actions, goals

NOW = datetime(2026, 11, 28, 10, tzinfo=UTC)
PERIOD_START = datetime(2026, 11, 1, 0, 30, tzinfo=UTC)
KIND = "attend-event"


def _fill(app: App, user_id: str, size: int, batch: int = 5000) -> None:
    """`size` actions of the goal's kind spread over the current month, appended in batches."""
    profile = app.profile(user_id)
    span = (NOW - timedelta(hours=1) - PERIOD_START).total_seconds()
    done = 0
    while done < size:
        count = min(batch, size - done)
        decided = [
            decisions.log_action(
                profile,
                app.new_id(user_id, None, "action"),
                KIND,
                PERIOD_START + timedelta(seconds=span * (done + i) / size),
                NOW,
            )
            for i in range(count)
        ]
        app.append_actions(user_id, decided)
        done += count


def _prepared(folder: Path, size: int) -> tuple[App, str]:
    engine = make_engine(f"sqlite:///{folder / f'bench-{size}.db'}")
    upgrade(engine)
    app = App(engine, lambda: NOW)
    user_id = users.register(app, "bench@example.org", "UTC").user_id
    goals.set_goal(app, user_id, GoalSpec(template="monthly-event"))
    _fill(app, user_id, size)
    return app, user_id


def writes_per_second(sizes: list[int], writes: int) -> dict[int, float]:
    """Median writes/s per size. The stores are written in turns, one write each, so a noisy
    moment on a shared machine hits every size alike."""
    with tempfile.TemporaryDirectory() as folder:
        stores = {size: _prepared(Path(folder), size) for size in sizes}
        timings: dict[int, list[float]] = {size: [] for size in sizes}
        for i in range(writes):
            for size, (app, user_id) in stores.items():
                started = time.perf_counter()
                actions.log_action(app, user_id, KIND, NOW - timedelta(minutes=30, seconds=i))
                timings[size].append(time.perf_counter() - started)
        for app, _user_id in stores.values():
            app.close()
    return {size: 1.0 / statistics.median(spent) for size, spent in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000, 100_000])
    parser.add_argument("--writes", type=int, default=100)
    args = parser.parse_args()
    rates = writes_per_second([0, *args.sizes], args.writes)
    fresh = rates[0]
    print(f"{'actions in the period':>22} {'writes/s':>10} {'ms/write':>9} {'ratio':>7}")
    print(f"{'0 (fresh goal)':>22} {fresh:>10.0f} {1e3 / fresh:>9.2f} {1.0:>7.2f}")
    worst = 1.0
    for size in args.sizes:
        rate = rates[size]
        worst = min(worst, rate / fresh)
        print(f"{size:>22,} {rate:>10.0f} {1e3 / rate:>9.2f} {rate / fresh:>7.2f}")
    print(f"worst ratio {worst:.2f} (target >= 0.8)")


if __name__ == "__main__":
    main()
