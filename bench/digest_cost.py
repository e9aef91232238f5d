"""What one Monday-digest decision and its delivery cost in our CPU, per person, on PostgreSQL —
the start commit's code and this checkout's, in the same run (issue 26: 10,000 digests within 10
minutes on one worker).

    python -m bench.digest_cost --people 200 --repeats 5 --rounds 2 --against /tmp/netgoals-base

`--against DIR`: another checkout of the code (e.g. `git archive main | tar -x -C DIR`), measured in
its own process first; this checkout's is measured next, in its own process (`--rounds` times,
alternating), and the ratio of the medians is printed. Without it only this checkout's code is
measured.

Each measuring process builds the people on a scratch database (bench/scale_people.py), runs the
first tick (decide and send for everyone, so nothing but the digest is new on Monday), sets the
clock to the first digest morning after now (as bench/scale.py's digest tick does) and decides and
sends the digests, a slice of people at a time: a warm-up slice, then `--repeats` slices, each
timed with time.process_time (our CPU; PostgreSQL's is counted apart). The figure is the median
per person over the slices. `--profile N`: also print cProfile's top N functions (CPU time) of
this checkout's slices; its figures then include the profiler's overhead.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

WARM_UP = 10
HERE = Path(__file__).resolve().parents[1]


def measure(people: int, repeats: int, profile_top: int) -> dict[str, Any]:
    """Runs in the measuring process, with the code under test first on sys.path."""
    import psycopg
    from cryptography.fernet import Fernet

    from bench.pg import scratch_database
    from bench.scale import BERLIN, Meter, mail_sink, run_ticks
    from bench.scale_people import build
    from domain.progress_updates.decision_due import next_digest_morning
    from integrations.storage import update_store
    from integrations.storage.database import write_transaction
    from service.app import App
    from service.operations import background
    from service.settings import Settings
    from service.updates import Updates
    from service.updates.deliver import deliver_batch
    from service.updates.marked import decide_marked

    code = str(Path(sys.modules["service"].__file__ or "").parents[1])
    with tempfile.TemporaryDirectory(prefix="netgoals-digest-") as tmp, scratch_database() as url:
        folder = Path(tmp)
        with mail_sink(folder) as (smtp_port, mail):
            settings = Settings(
                home=str(folder / "home"),
                database_url=url,
                secret_key=Fernet.generate_key().decode(),
                smtp_host="127.0.0.1",
                smtp_port=smtp_port,
                smtp_security="none",
                public_url="https://netgoals.bench",
            )
            clock: list[datetime | None] = [None]
            app = App.open(settings, clock=lambda: clock[0] or datetime.now(UTC))
            ctx = Updates.open(settings)
            admin_url = url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0]
            with psycopg.connect(admin_url + "/postgres", autocommit=True) as admin:
                meter = Meter(app.engine, admin, url.rsplit("/", 1)[1])
                app.engine.dispose()  # new connections, each with the counting cursor
                now = datetime.now(UTC)
                month_start = now.astimezone(BERLIN).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
                users = sorted(build(app, people, month_start))
                run_ticks(app, ctx)  # the first tick: everyone decided and told what is new
                clock[0] = next_digest_morning(now, BERLIN, 0) + timedelta(minutes=5)
                profiler = cProfile.Profile(time.process_time) if profile_top else None

                def digests(chunk: list[str]) -> int:
                    if profiler is not None:
                        profiler.enable()
                    decide_marked(app, ctx, chunk, budget_seconds=1e9)
                    with write_transaction(app.engine) as connection:
                        due = update_store.hand_out(connection, app.now().timestamp(), 600, len(chunk) * 10)
                    ids = [d for d, _ in due]
                    sent = 0
                    for start in range(0, len(ids), background.DELIVER_CHUNK):
                        batch = ids[start : start + background.DELIVER_CHUNK]
                        done = deliver_batch(app, ctx, batch)
                        done = getattr(done, "sent", done)  # a list before deliver_batch had a budget
                        sent += sum(s.delivered for s in done)
                    if profiler is not None:
                        profiler.disable()
                    return sent

                digests(users[:WARM_UP])
                size = (len(users) - WARM_UP) // repeats
                slices = []
                for r in range(repeats):
                    chunk = users[WARM_UP + r * size : WARM_UP + (r + 1) * size]
                    sent: list[int] = []

                    def run(chunk: list[str] = chunk, sent: list[int] = sent) -> None:
                        sent.append(digests(chunk))

                    cost = meter.measure(run)
                    slices.append(
                        {
                            "ours_ms": cost.ours / len(chunk) * 1000,
                            "postgres_ms": cost.postgres / len(chunk) * 1000,
                            "statements": cost.statements / len(chunk),
                            "transactions": cost.transactions / len(chunk),
                            "sent": sent[0],
                            "people": len(chunk),
                        }
                    )
                subjects = sorted({line.split(" ", 2)[2] for line in mail.read_text().splitlines()})
            app.close()
    if profiler is not None:
        out = io.StringIO()
        for order in ("tottime", "cumulative"):
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(profile_top)
        print(out.getvalue(), file=sys.stderr)
    return {"code": code, "slices": slices, "subjects": subjects[-3:]}


def run_child(code: Path, people: int, repeats: int, profile_top: int) -> dict[str, Any]:
    """Measure the code in `code` in a process of its own (its packages first on sys.path)."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    script = (
        f"import json, runpy, sys; sys.path.insert(0, {str(code)!r}); "
        f"m = runpy.run_path({str(Path(__file__).resolve())!r}); "
        f"print('RESULT ' + json.dumps(m['measure']({people}, {repeats}, {profile_top})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=code, capture_output=True, text=True, check=False
    )
    sys.stderr.write(done.stderr[-20000:] if done.returncode else done.stderr)
    if done.returncode:
        raise SystemExit(f"measuring {code} failed ({done.returncode})")
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    return dict(json.loads(line[len("RESULT ") :]))


def median(result: dict[str, Any], field: str) -> float:
    return float(statistics.median(s[field] for s in result["slices"]))


def show(name: str, result: dict[str, Any]) -> None:
    ours = ", ".join(f"{s['ours_ms']:.1f}" for s in result["slices"])
    print(
        f"{name:<8} ({result['code']}): ours {median(result, 'ours_ms'):6.1f} ms a person "
        f"(slices: {ours}), PostgreSQL {median(result, 'postgres_ms'):5.1f} ms, "
        f"statements {median(result, 'statements'):5.1f}, "
        f"transactions {median(result, 'transactions'):4.1f}, "
        f"mails {sum(s['sent'] for s in result['slices'])}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=1, help="baseline then this, this many times")
    parser.add_argument("--against", type=Path, help="a checkout of the baseline code")
    parser.add_argument("--profile", type=int, default=0, help="print cProfile's top N (this checkout)")
    args = parser.parse_args()
    runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "this": []}
    for _ in range(args.rounds):  # alternated: a machine whose load changes weighs on both alike
        if args.against is not None:
            runs["baseline"].append(run_child(args.against.resolve(), args.people, args.repeats, 0))
            show("baseline", runs["baseline"][-1])
        runs["this"].append(run_child(HERE, args.people, args.repeats, args.profile))
        show("this", runs["this"][-1])
    if args.against is not None:
        both = {name: {"slices": [s for r in found for s in r["slices"]]} for name, found in runs.items()}
        ratio = median(both["this"], "ours_ms") / median(both["baseline"], "ours_ms")
        base, this = median(both["baseline"], "ours_ms"), median(both["this"], "ours_ms")
        print(
            f"median of {args.rounds * args.repeats} slices each: baseline {base:.1f} ms, "
            f"this {this:.1f} ms; "
            f"ratio this / baseline, our CPU a person: {ratio:.2f}"
        )


if __name__ == "__main__":
    main()
