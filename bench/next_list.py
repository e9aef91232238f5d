"""The next list for a person with 5,000 contacts and ~100,000 events, against reading their
progress in the same run (issue 28).

The next list folds the person's own streams from the log at read time (no projection), so its cost
grows with their history; progress reads the projection. The ratio says what that costs.
The workload's contacts get a keep-in-touch cadence (every 5th), a need (every 7th, half of them
matching an offer), an aspiration, and a mentor goal with a deadline; their Google calendar holds
500 meetings with contacts around now (the briefs and after-meeting nudges read them).
Run: .venv/bin/python -m bench.next_list [--events 100000] [--contacts 5000] [--calls 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

from bench.workload import NOW, START, fill
from domain.event_types import events as ev
from domain.event_types.events import NewEvent
from integrations.storage.calendar_store.tables import google_occurrences
from integrations.storage.database import make_engine, write_transaction
from integrations.storage.event_store import StreamAppend
from integrations.storage.migrate import upgrade
from service.app import App
from service.people import next_actions
from service.read_models import progress


def _extras(user_id: str, contacts: int) -> list[NewEvent]:
    at = START.isoformat()
    made = [
        NewEvent(uuid.uuid4(), ev.USER_SETTINGS_CHANGED, {"offers": ["pricing advice", "intros"], "at": at}),
        NewEvent(
            uuid.uuid4(),
            ev.ASPIRATION_ADDED,
            {
                "aspiration_id": "a1",
                "text": "a product role at a climate startup",
                "kind": "new-job",
                "at": at,
            },
        ),
    ]
    for i in range(contacts):
        contact_id = str(uuid.uuid5(uuid.NAMESPACE_OID, f"{user_id}/{i}"))
        change: dict[str, object] = {}
        if i % 5 == 0:
            change["cadence_days"] = 14 + i % 60
        if i % 7 == 0:
            change["needs"] = ["advice on pricing"] if i % 14 == 0 else ["a designer"]
        if i % 11 == 0:
            change["helps_with"] = ["a1"]
        if change:
            made.append(
                NewEvent(uuid.uuid4(), ev.CONTACT_UPDATED, {"contact_id": contact_id, **change, "at": at})
            )
    mentor = str(uuid.uuid5(uuid.NAMESPACE_OID, f"{user_id}/0"))
    made.append(
        NewEvent(
            uuid.uuid4(),
            ev.GOAL_SET,
            {
                "goal_id": "mentor",
                "title": "Build a relationship with a mentor",
                "action": "meet-mentor",
                "target": 40,
                "frame": "deadline",
                "start": "2026-01-01",
                "deadline": "2027-06-30",
                "contact_ids": [mentor],
                "aspiration_id": "a1",
                "template": "mentor",
                "at": at,
            },
        )
    )
    return made


def _meetings(app: App, user_id: str, contacts: int, count: int = 500) -> None:
    """Occurrence rows as a Google pull keeps them: a meeting every 3 hours around now."""
    rows = []
    for i in range(count):
        start = NOW + timedelta(hours=3 * (i - count // 2))
        who = [str(uuid.uuid5(uuid.NAMESPACE_OID, f"{user_id}/{(i * 37 + k) % contacts}")) for k in range(2)]
        facts = {
            "kinds": [], "at": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat(),
            "title": f"Meeting {i}", "contact_ids": who, "attendees": [[f"guest{i}@example.org", None]],
            "own": None, "attended": False, "going": True,
        }  # fmt: skip
        rows.append(
            {
                "user_id": user_id, "key": f"primary/m{i}/", "role": "primary", "due_at": None,
                "facts": json.dumps(facts), "counted": "{}", "generation": 0,
            }
        )  # fmt: skip
    with write_transaction(app.engine) as connection:
        connection.execute(insert(google_occurrences), rows)


def _median(call: object, calls: int) -> float:
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=5_000)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="Print where the next list spends its time.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(engine)
        app = App(engine, lambda: NOW)
        [user_id] = fill(app.store, args.events - args.contacts // 3, users=1, contacts=args.contacts)
        version = app.store.stream_version(ev.profile_stream(user_id))
        app.store.append(StreamAppend(ev.profile_stream(user_id), version, _extras(user_id, args.contacts)))
        app.projection.rebuild()
        _meetings(app, user_id, args.contacts)
        events = app.store.head_position()
        items = next_actions.next_items(app, user_id)
        assert items, "the bench person has something to do next"
        if args.profile:
            import cProfile

            cProfile.runctx("next_actions.next_items(app, user_id)", globals(), locals(), sort="cumtime")
        next_s = _median(lambda: next_actions.next_items(app, user_id), args.calls)
        progress_s = _median(lambda: progress.progress(app, user_id), args.calls)
        app.close()
    kinds = ", ".join(sorted({i.kind for i in items}))
    print(f"events in the log: {events:,}; contacts: {args.contacts:,}; items: {len(items)} ({kinds})")
    print(f"next list:        {next_s * 1000:8.1f} ms (median of {args.calls})")
    print(f"progress read:    {progress_s * 1000:8.1f} ms (median of {args.calls})")
    print(f"ratio next/progress: {next_s / progress_s:.1f}x")


if __name__ == "__main__":
    main()
