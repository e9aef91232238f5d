"""The progress-updates ticks at scale, on PostgreSQL: does a quiet tick cost the same whoever is
registered, what does work cost when people were active or the digest is due, and how long does a
goal met by a meetup take to reach the mail server with a real worker?

    python -m bench.scale 100,1000
    python -m bench.scale 10000 --sample 1000

For each N it builds N people through the service layer (bench/scale_people.py: 3 goals, 10
contacts, 50 done actions before this month, email updates on and confirmed), then measures, each
with our CPU, PostgreSQL's CPU (the scratch database's backends), statements and transactions:

- the first tick: everyone is marked (the build changed everyone), as after an upgrade;
- the quiet tick: nobody changed and nobody is due;
- the tick after 10% of people logged an action;
- the Monday digest tick (the clock at the first morning of the week): decide and send N digests;
- meetup -> email latency, p50/p95: a worker process, the tick every NETGOALS_UPDATES_EVERY_SECONDS
  (20 s) as beat sends it, meetups logged at random moments meeting a monthly goal.

Work ticks run the tasks' code in this process (claim, decide per 100, hand out, send per 25 over one
connection); the quiet tick is the tick task's own function. The mail server is another process.
Each figure prints as it is measured; ratios print at the end, against the smallest N of the run.
`--sample K`: the first and the digest tick decide only the first K people due (at 10,000 deciding
everyone twice takes hours on a shared machine); the figure is their cost, per person the same.
The rest of the first tick's marks are moved past the measured ticks; the active are among the K.
`--digest-all` with it: the digest tick decides and sends for everyone (10,000 digests in one run).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from cryptography.fernet import Fernet
from sqlalchemy import Engine, event, update

from bench.pg import scratch_database
from bench.scale_people import build
from domain.progress_updates.decision_due import next_digest_morning
from integrations.queue.embedded import EmbeddedRedis
from integrations.storage import update_store
from integrations.storage.database import write_transaction
from integrations.storage.decision_marks import decision_marks
from service.app import App
from service.operations import background
from service.operations.jobs import Jobs, task_names
from service.operations.serve import child_commands
from service.settings import Settings
from service.tracking import actions
from service.updates import Updates
from service.updates.deliver import deliver_batch
from service.updates.marked import claim_marked, decide_marked

BERLIN = ZoneInfo("Europe/Berlin")
KINDS = ("attend-event", "reach-out", "follow-up", "meet-mentor", "offer-help")
MEETUPS = 20
QUIET_TICKS = 20


class CountingCursor(psycopg.Cursor[Any]):
    """Counts every statement, whether SQLAlchemy or our raw-cursor fast paths sent it."""

    count = 0

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        CountingCursor.count += 1
        return super().execute(*args, **kwargs)

    def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> None:
        rows = list(params_seq)
        CountingCursor.count += len(rows)
        super().executemany(query, rows, **kwargs)


@dataclass
class Cost:
    wall: float
    ours: float
    postgres: float
    statements: int
    transactions: int

    def per(self, runs: int) -> Cost:
        return Cost(
            self.wall / runs,
            self.ours / runs,
            self.postgres / runs,
            self.statements // runs,
            self.transactions // runs,
        )

    @property
    def cpu(self) -> float:
        return self.ours + self.postgres

    def line(self) -> str:
        return (
            f"wall {self.wall:8.3f} s  CPU ours {self.ours:8.4f} s + PostgreSQL {self.postgres:7.4f} s  "
            f"statements {self.statements:7d}  transactions {self.transactions:6d}"
        )


class Meter:
    def __init__(self, engine: Engine, admin: psycopg.Connection[Any], database: str) -> None:
        self.admin, self.database = admin, database
        self.commits = 0
        event.listen(engine, "connect", self._count_statements)
        event.listen(engine, "commit", self._commit)

    @staticmethod
    def _count_statements(dbapi: Any, record: Any) -> None:
        dbapi.cursor_factory = CountingCursor

    def _commit(self, connection: Any) -> None:
        self.commits += 1

    def _backends(self) -> dict[int, float]:
        rows = self.admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database])
        found = {}
        for (pid,) in rows.fetchall():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return found

    def measure(self, run: Callable[[], Any]) -> Cost:
        before, statements, commits = self._backends(), CountingCursor.count, self.commits
        cpu, wall = time.process_time(), time.monotonic()
        run()
        wall, cpu = time.monotonic() - wall, time.process_time() - cpu
        after = self._backends()
        postgres = sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
        return Cost(wall, cpu, postgres, CountingCursor.count - statements, self.commits - commits)


@dataclass
class Ticked:
    decided: int = 0
    sent: int = 0
    deciding: float = 0.0  # wall seconds
    sending: float = 0.0
    users: list[str] = field(default_factory=list)  # whom it decided for


def run_ticks(app: App, ctx: Updates, into: list[Ticked] | None = None, sample: int | None = None) -> Ticked:
    """Everything the tick and its tasks do, in this process: decide for whoever is due (100 a
    batch), then send what is due (25 a batch, one connection each). `sample`: decide only the
    first `sample` people due (one claim), and send what they made."""
    decided = sent = 0
    began = time.monotonic()
    claimed: list[str] = []
    while users := claim_marked(app, 300, sample or background.TICK_LIMIT):
        claimed += users
        for start in range(0, len(users), background.DECIDE_BATCH):
            chunk = users[start : start + background.DECIDE_BATCH]
            decided += decide_marked(app, ctx, chunk, budget_seconds=150, confirm_after_days=7).users
        if sample is not None:
            break
    deciding = time.monotonic() - began
    while True:
        with write_transaction(app.engine) as connection:
            due = update_store.hand_out(connection, app.now().timestamp(), 600, background.TICK_LIMIT)
        if not due:
            done = Ticked(decided, sent, deciding, time.monotonic() - began - deciding, claimed)
            if into is not None:
                into.append(done)
            return done
        ids = [d for d, _ in due]
        for start in range(0, len(ids), background.DELIVER_CHUNK):
            sent += sum(
                s.delivered
                for s in deliver_batch(app, ctx, ids[start : start + background.DELIVER_CHUNK]).sent
            )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def mail_sink(folder: Path) -> Iterator[tuple[int, Path]]:
    port, path = free_port(), folder / "mail.log"
    path.touch()
    sink = subprocess.Popen([sys.executable, "-m", "bench.smtp_sink", str(port), str(path)])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    try:
        yield port, path
    finally:
        sink.terminate()
        sink.wait(10)


def received(path: Path) -> list[tuple[float, str, str]]:
    found = []
    for line in path.read_text().splitlines():
        at, to, subject = line.split(" ", 2)
        found.append((float(at), to, subject))
    return found


def latency(
    app: App, jobs: Jobs, env: dict[str, str], folder: Path, people: dict[str, str], mail: Path
) -> list[float]:
    """A worker process and the tick every NETGOALS_UPDATES_EVERY_SECONDS (as beat sends it); meetups
    logged at random moments; seconds from each meetup's commit to its goal-met mail arriving."""
    log = (folder / "worker.log").open("ab")
    worker = subprocess.Popen(
        child_commands("127.0.0.1", 0, "scale@%h")["worker"], env=env, stdout=log, stderr=log
    )
    every = jobs.settings.updates_every_seconds
    stop = threading.Event()

    def beat() -> None:
        while not stop.is_set():
            jobs.celery.send_task(task_names().updates)
            stop.wait(every)

    ticker = threading.Thread(target=beat, daemon=True)
    try:
        while not jobs.redis.hkeys("netgoals:workers"):
            time.sleep(0.2)
        ticker.start()
        rng = random.Random(7)
        chosen = rng.sample(sorted(people), MEETUPS)
        logged: dict[str, float] = {}
        for user_id in chosen:
            time.sleep(rng.uniform(0, 2 * every / MEETUPS * 2))
            actions.log_action(app, user_id, "attend-event", datetime.now(UTC) - timedelta(minutes=5))
            logged[people[user_id]] = time.time()
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            arrived = {to: at for at, to, subject in received(mail) if subject.startswith("Met this month")}
            if all(to in arrived for to in logged):
                break
            time.sleep(0.5)
        return sorted(arrived[to] - at for to, at in logged.items() if to in arrived and arrived[to] >= at)
    finally:
        stop.set()
        worker.terminate()
        worker.wait(30)


WORDS = {
    "first": "first tick (everyone marked)",
    "quiet": "quiet tick (nobody due), each",
    "active": "tick after 10% were active",
    "digest": "Monday digest tick",
}


def show(name: str, cost: Cost, ticked: Ticked | None = None) -> None:
    print(f"  {WORDS[name]:<30} {cost.line()}", flush=True)
    if ticked is not None:
        print(
            f"    {name}: decided {ticked.decided} people in {ticked.deciding:.2f} s, "
            f"sent {ticked.sent} mails in {ticked.sending:.2f} s",
            flush=True,
        )


def measure_ticks(
    name: str, meter: Meter, app: App, ctx: Updates, sample: int | None = None
) -> tuple[Cost, Ticked]:
    ticked: list[Ticked] = []
    cost = meter.measure(lambda: run_ticks(app, ctx, ticked, sample))
    show(name, cost, ticked[0])
    return cost, ticked[0]


def defer_the_rest(app: App, now: datetime, digest_at: datetime, into_digest: bool = False) -> int:
    """After a sampled first tick: everyone still due is moved past the measured ticks (an hour
    after the digest tick's clock), so the quiet tick finds nobody due and the sampled digest tick
    is about the people the first tick decided for (otherwise it picked undecided people, whose
    first decision added an update each to their digest). `into_digest`: moved to the digest
    tick's clock instead, so that tick decides everyone (--digest-all)."""
    with write_transaction(app.engine) as connection:
        t = decision_marks
        later = (digest_at if into_digest else digest_at + timedelta(hours=1)).timestamp()
        moved = connection.execute(
            update(t).where(t.c.due_at <= now.timestamp()).values(due_at=later, claimed_until=None)
        )
        return int(moved.rowcount)


def one_size(count: int, sample: int | None = None, digest_all: bool = False) -> dict[str, Any]:
    """Every figure of one size, each printed as soon as it is measured (a run of 10,000 people
    takes long; what it reached is on the screen if it is stopped)."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="netgoals-scale-") as tmp, scratch_database() as url:
        folder = Path(tmp)
        with EmbeddedRedis(folder / "redis") as redis_server, mail_sink(folder) as (smtp_port, mail):
            env = {k: v for k, v in os.environ.items() if not k.startswith("NETGOALS_")}
            env.update(
                NETGOALS_HOME=str(folder / "home"),
                NETGOALS_DATABASE_URL=url,
                NETGOALS_SECRET_KEY=Fernet.generate_key().decode(),
                NETGOALS_REDIS_URL=redis_server.url,
                NETGOALS_SMTP_HOST="127.0.0.1",
                NETGOALS_SMTP_PORT=str(smtp_port),
                NETGOALS_SMTP_SECURITY="none",
                NETGOALS_PUBLIC_URL="https://netgoals.bench",
            )
            settings = Settings(**{k[9:].lower(): v for k, v in env.items() if k.startswith("NETGOALS_")})
            clock: list[datetime | None] = [None]
            app = App.open(settings, clock=lambda: clock[0] or datetime.now(UTC))
            ctx = Updates.open(settings)
            jobs = Jobs.open(settings, app)
            database = url.rsplit("/", 1)[1]
            with psycopg.connect(
                url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres",
                autocommit=True,
            ) as admin:
                meter = Meter(app.engine, admin, database)
                app.engine.dispose()  # new connections, each with the counting cursor
                now = datetime.now(UTC)
                month_start = now.astimezone(BERLIN).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
                started = time.monotonic()
                monday = next_digest_morning(now, BERLIN, 0) + timedelta(minutes=5)
                people = build(app, count, month_start)
                results["build"] = time.monotonic() - started
                print(f"  build {results['build']:.1f} s", flush=True)
                results["first"], first = measure_ticks("first", meter, app, ctx, sample)
                if sample is not None:
                    moved = defer_the_rest(app, now, monday, into_digest=digest_all)
                    print(f"  sampled: the other {moved} marks deferred", flush=True)
                # Twenty quiet ticks (one is below /proc's 10 ms resolution), reported per tick.
                quiet = meter.measure(lambda: [background.progress_updates(jobs) for _ in range(QUIET_TICKS)])
                results["quiet"] = quiet.per(QUIET_TICKS)
                show("quiet", results["quiet"])
                # Sampled: the active are among those the first tick decided for, as all would be.
                among = sorted(first.users) if sample is not None else sorted(people)
                active = random.Random(1).sample(among, min(len(among), max(1, count // 10)))
                for user_id in active:  # a meetup each: their monthly goal is met
                    actions.log_action(app, user_id, "attend-event", now - timedelta(hours=1))
                results["active"], _ = measure_ticks("active", meter, app, ctx)
                clock[0] = monday
                digest_sample = None if digest_all else sample
                results["digest"], _ = measure_ticks("digest", meter, app, ctx, digest_sample)
                clock[0] = None
                not_met = {u: a for u, a in people.items() if u not in set(active)}  # goals not met yet
                results["latency"] = lat = latency(app, jobs, env, folder, not_met, mail)
                arrived = f"{len(lat)}/{MEETUPS} arrived"
                print(f"  meetup -> email: {arrived}, p50 {pct(lat, 50):.1f} s, p95 {pct(lat, 95):.1f} s")
            jobs.close()
            app.close()
    return results


def pct(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    arguments = argparse.ArgumentParser(description="The progress-updates ticks at scale.")
    arguments.add_argument("sizes", nargs="?", default="100,1000", help="numbers of people, e.g. 100,1000")
    arguments.add_argument(
        "--sample",
        type=int,
        help="the first and the digest tick decide only this many people (their cost per person "
        "is the figure; the rest of the first tick's marks are deferred, the active are among them)",
    )
    arguments.add_argument(
        "--digest-all",
        action="store_true",
        help="with --sample: the digest tick still decides and sends for everyone (the people the "
        "sampled first tick left have their first decision in it too: an upper bound)",
    )
    given = arguments.parse_args()
    sizes = [int(n) for n in given.sizes.split(",")]
    runs = {}
    for count in sizes:
        print(f"--- {count} people" + (f", sample {given.sample}" if given.sample else ""), flush=True)
        runs[count] = one_size(count, given.sample, given.digest_all)
    base = min(sizes)
    for count in sorted(sizes)[1:]:
        print(f"--- ratios {count} / {base} people")
        for name in ("quiet", "active", "digest"):
            a, b = runs[base][name], runs[count][name]
            print(
                f"  {name:<7} CPU {b.cpu / max(a.cpu, 1e-9):6.2f}  statements "
                f"{b.statements / max(a.statements, 1):6.2f}  wall {b.wall / max(a.wall, 1e-9):6.2f}"
            )


if __name__ == "__main__":
    main()
