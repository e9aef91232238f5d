"""Workers at work, against the Google fake in its own process and an embedded Redis:

- N connected users synced by one worker process, then by two: syncs per second and the scaling
  ratio (each round every user has one new meetup to count);
- push-to-progress latency: a meetup appears in the fake, the fake notifies a real `netgoals api`
  process, a worker syncs, `GET /api/v1/progress` shows it — p50 and p95;
- worker RSS after the run, and Redis memory per queued user.

Run: .venv/bin/python -m bench.workers [--users 1000] [--rounds 2] [--samples 20] [--database-url URL]
[--latency SECONDS] [--compare-pools]
(rounds alternate one worker and two, so the machine's noise hits both alike; medians are compared;
`--latency` delays every answer of the fake like a real server's; `--compare-pools` alternates one
worker with one pool process, as before issue 26, and one with its threads, and stops there)
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from cryptography.fernet import Fernet

from domain.decisions import GoalSpec
from integrations.queue.embedded import EmbeddedRedis
from integrations.storage import calendar_store as store
from integrations.storage.database import read_transaction
from service import google
from service.access import accounts, users
from service.app import App
from service.operations.jobs import Jobs, celery_app, request_sync
from service.operations.serve import child_commands
from service.settings import Settings
from service.tracking import goals
from tests.api.live import free_port


class Fake:
    def __init__(self, latency: float = 0.0) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "tests.fakes.google_calendar", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--latency", str(latency)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.process.stdout.readline()
        self.base = f"http://127.0.0.1:{self.port}"
        self.http = httpx.Client(base_url=self.base, timeout=30)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        answer = self.http.request(method, f"/_control/{path}", json=body)
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def meetup(self, email: str, minutes_ago: int) -> None:
        start = datetime.now(UTC) - timedelta(minutes=minutes_ago + 30)
        body = {
            "summary": "Networking meetup",
            "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": (start + timedelta(minutes=20)).isoformat()},
            "organizer": {"email": "host@x.org"},
            "attendees": [
                {"email": email, "responseStatus": "accepted"},
                {"email": "host@x.org", "responseStatus": "accepted"},
            ],
        }
        self.control("POST", f"users/{email}/calendars/primary/events", body)

    def close(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(10)


def environment(
    folder: Path, fake: Fake, redis_url: str, database_url: str | None, public: str
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETGOALS_")}
    env.update(
        NETGOALS_HOME=str(folder / "home"),
        NETGOALS_DATABASE_URL=database_url or f"sqlite:///{folder / 'bench.db'}",
        NETGOALS_SECRET_KEY=Fernet.generate_key().decode(),
        NETGOALS_REDIS_URL=redis_url,
        NETGOALS_PUBLIC_URL=public,
        NETGOALS_GOOGLE_CLIENT_ID="netgoals-test.apps.googleusercontent.com",
        NETGOALS_GOOGLE_CLIENT_SECRET="fake-client-secret",
        NETGOALS_GOOGLE_AUTH_URI=f"{fake.base}/o/oauth2/auth",
        NETGOALS_GOOGLE_TOKEN_URI=f"{fake.base}/token",
        NETGOALS_GOOGLE_REVOKE_URI=f"{fake.base}/revoke",
        NETGOALS_GOOGLE_API_URL=f"{fake.base}/calendar/v3/",
        NETGOALS_GOOGLE_BATCH_URI=f"{fake.base}/batch/calendar/v3",
        NETGOALS_SWEEP_SECONDS="3600",  # the bench sends the work itself
    )
    return env


def settings_of(env: dict[str, str]) -> Settings:
    return Settings(**{k[9:].lower(): v for k, v in env.items() if k.startswith("NETGOALS_")})


def connect(app: App, context: google.Google, fake: Fake, email: str) -> str:
    fake.control("POST", "users", {"email": email, "time_zone": "Europe/Berlin"})
    fake.control("POST", "current_user", {"email": email})
    user_id = users.register(app, email, "Europe/Berlin").user_id
    goals.set_goal(app, user_id, GoalSpec(template="monthly-event"))
    location = httpx.get(google.begin_connect(app, context, user_id)).headers["location"]
    params = dict(parse_qsl(urlsplit(location).query))
    google.complete_connect(
        app, context, params["state"], params.get("code"), finisher=google.Browser(user_id)
    )
    return user_id


# The worker's pool before issue 26: one pool process, one task at a time.
PREFORK = ("--pool", "prefork", "--concurrency", "1")


def start_workers(
    env: dict[str, str], folder: Path, count: int, pool: tuple[str, ...] = ()
) -> list[subprocess.Popen[bytes]]:
    """`count` worker processes, each started as `netgoals serve` starts its one (`pool`: other
    pool options, appended: the last one given wins)."""
    started = []
    for i in range(count):
        log = (folder / f"worker{i}.log").open("ab")
        command = [*child_commands("127.0.0.1", 0, hostname=f"bench{i}@%h")["worker"], *pool]
        started.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))
    return started


def wait_ready(jobs: Jobs, count: int) -> None:
    while len(jobs.redis.hkeys("netgoals:workers")) < count:
        time.sleep(0.1)


def stop(processes: list[subprocess.Popen[bytes]], jobs: Jobs) -> None:
    for p in processes:
        p.send_signal(signal.SIGTERM)
    for p in processes:
        p.wait(30)
    jobs.redis.delete("netgoals:workers")


def family(pid: int) -> list[int]:
    """A process and its children alive now (a worker's pool process)."""
    return [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]


def rss_mib(pid: int) -> float:
    total = 0.0
    for p in family(pid):
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
    return total


def cpu_seconds(pid: int, children: bool = False) -> float:
    """User + system CPU seconds of a process (and of its children alive now)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in family(pid) if children else [pid]:
        fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


class CpuMeter:
    """Where the machine's CPU went during a round: each worker, the Google fake, Redis and this
    process (it sends the messages and polls for the end). The profile behind the scaling ratio."""

    def __init__(self, roles: dict[str, int]) -> None:
        self.roles = roles
        self.start = {name: self._cpu(name, pid) for name, pid in roles.items()}
        self.began = time.monotonic()

    @staticmethod
    def _cpu(name: str, pid: int) -> float:
        return cpu_seconds(pid, children=name.startswith("worker"))

    def report(self, syncs: int) -> str:
        """Cores busy per role, and the CPU one sync costs: the machine's cores divided by it is the
        most syncs per second this machine can give, however many workers run."""
        wall = time.monotonic() - self.began
        used = {name: self._cpu(name, pid) - self.start[name] for name, pid in self.roles.items()}
        parts = ", ".join(f"{name} {seconds / wall:.2f}" for name, seconds in used.items())
        workers = sum(seconds for name, seconds in used.items() if name.startswith("worker"))
        per_sync = sum(used.values()) / syncs
        cores = os.cpu_count() or 1
        return (
            f"cores busy: {sum(used.values()) / wall:.2f} of {cores} ({parts})\n"
            f"  CPU per sync: workers {workers / syncs * 1000:.0f} ms, all processes "
            f"{per_sync * 1000:.0f} ms -> this machine's ceiling {cores / per_sync:.1f} syncs/s"
        )


def synced_since(app: App, since: float) -> int:
    with read_transaction(app.engine) as connection:
        rows = connection.execute(store.google_sync_runs.select()).mappings().all()
    return sum(1 for r in rows if r["last_synced_at"] >= since and r["outcome"] == "connected")


def round_of_syncs(app: App, jobs: Jobs, fake: Fake, emails: dict[str, str], minutes_ago: int) -> float:
    for email in emails:
        fake.meetup(email, minutes_ago)
    started = time.time()
    for user_id in emails.values():
        request_sync(jobs, user_id)
    while synced_since(app, started) < len(emails):
        time.sleep(0.05)
    return time.time() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds per worker count")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer of the fake")
    parser.add_argument(
        "--compare-pools",
        action="store_true",
        help="rounds alternate one worker with one pool process (before issue 26) and one with threads",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="netgoals-bench-"))
    fake = Fake(args.latency)
    redis_server = EmbeddedRedis(folder / "redis").start()
    api_port = free_port()
    env = environment(folder, fake, redis_server.url, args.database_url, f"http://127.0.0.1:{api_port}")
    settings = settings_of(env)
    app = App.open(settings)
    jobs = Jobs(settings, app, celery_app(settings))
    context = google.Google.open(settings, sleep=lambda _s: None)
    try:
        # --- scaling: N users, one worker, then two ----------------------------------------------
        quiet = {**env, "NETGOALS_PUBLIC_URL": "https://netgoals.invalid"}  # no push in this part
        began = time.time()
        emails = {
            f"user{i}@example.org": connect(app, context, fake, f"user{i}@example.org")
            for i in range(args.users)
        }
        print(f"{args.users} users connected in {time.time() - began:.1f} s")
        workers = start_workers(quiet, folder, 2)
        wait_ready(jobs, 2)
        warm = round_of_syncs(app, jobs, fake, emails, 400)  # first syncs: calendars, 8 weeks planned
        print(f"first syncs (two workers, untimed warm-up): {warm:.1f} s")
        stop(workers, jobs)
        results: dict[int, list[float]] = {1: [], 2: []}
        counts = [1, 2] * args.rounds
        for round_number, count in enumerate(counts):
            # --compare-pools: "1" is one worker with one pool process, "2" one worker with threads.
            pool = (PREFORK if count == 1 else ()) if args.compare_pools else ()
            workers = start_workers(quiet, folder, 1 if args.compare_pools else count, pool)
            count_started = 1 if args.compare_pools else count
            wait_ready(jobs, count_started)
            roles = {f"worker{i}": w.pid for i, w in enumerate(workers)}
            assert redis_server.process is not None
            redis_pid = redis_server.process.pid
            meter = CpuMeter({**roles, "fake": fake.process.pid, "redis": redis_pid, "bench": os.getpid()})
            seconds = round_of_syncs(app, jobs, fake, emails, 360 - 40 * round_number)  # a new meetup each
            busy = meter.report(args.users)
            results[count].append(args.users / seconds)
            rss = [rss_mib(w.pid) for w in workers]
            stop(workers, jobs)
            label = f"{count} worker(s)"
            if args.compare_pools:
                label = "one pool process" if count == 1 else "threads"
            print(
                f"{label}: {seconds:.1f} s, {results[count][-1]:.1f} syncs/s, RSS per worker "
                f"{statistics.median(rss):.0f} MiB (main + pool process)\n  {busy}"
            )
        one, two = statistics.median(results[1]), statistics.median(results[2])
        if args.compare_pools:
            print(f"median syncs/s, one worker: one pool process {one:.1f}, threads {two:.1f}")
            print(f"ratio threads/process: {two / one:.2f}")
            return
        print(f"median syncs/s: one worker {one:.1f}, two workers {two:.1f}")
        print(f"scaling ratio two/one: {two / one:.2f} (target >= 1.8)")

        # --- Redis memory per queued user (no worker running) ------------------------------------
        before = int(jobs.redis.info("memory")["used_memory"])
        for user_id in emails.values():
            request_sync(jobs, user_id)
        after = int(jobs.redis.info("memory")["used_memory"])
        print(f"Redis memory per queued user: {(after - before) / len(emails):.0f} bytes")
        jobs.redis.delete("netgoals")
        for key in jobs.redis.scan_iter("netgoals:queued:*"):
            jobs.redis.delete(key)

        # --- push-to-progress latency -------------------------------------------------------------
        email = "pushed@example.org"
        user_id = connect(app, context, fake, email)
        token = accounts.issue_token(app, user_id)
        api_log = (folder / "api.log").open("ab")
        api = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "api", "--port", str(api_port)],
            env=env,
            stdout=api_log,
            stderr=subprocess.STDOUT,
        )
        workers = start_workers(env, folder, 1)
        wait_ready(jobs, 1)
        base = f"http://127.0.0.1:{api_port}"
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        request_sync(jobs, user_id)
        while not fake.control("GET", "state").get("channels"):
            time.sleep(0.1)
        auth = {"Authorization": f"Bearer {token}"}

        def done() -> int:
            return int(httpx.get(f"{base}/api/v1/progress", headers=auth).json()[0]["done"])

        latencies = []
        for i in range(args.samples):
            seen = done()
            started = time.monotonic()
            fake.meetup(email, 60 + i)
            while done() == seen:
                time.sleep(0.01)
            latencies.append(time.monotonic() - started)
            time.sleep(0.6)  # past the debounce window: each sample is its own notification
        latencies.sort()
        p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
        print(
            f"push to progress over {len(latencies)} samples: p50 {statistics.median(latencies):.2f} s, "
            f"p95 {p95:.2f} s (target p95 <= 2 s)"
        )
        api.send_signal(signal.SIGTERM)
        api.wait(15)
        stop(workers, jobs)
    finally:
        app.close()
        jobs.close()
        redis_server.stop()
        fake.close()


if __name__ == "__main__":
    main()
