"""The iCalendar feed for a user with a year of tasks (about 300 events): render time, then
requests per second on a real `netgoals api` (uvicorn) process for 304 answers (If-None-Match) and
for full answers, against a trivial endpoint (`GET /healthz`) on the same server in the same run.
Target: 304s at >= 0.5x the trivial endpoint's rate.

Run: .venv/bin/python -m bench.ical_feed [--requests 400] [--renders 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from icalendar import Calendar

from bench.api_progress import _free_port
from domain.decisions import GoalSpec
from service import ical
from service.access import accounts
from service.app import App
from service.settings import Settings
from service.tracking import actions, goals

NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
KINDS = ("reach-out", "attend-event", "reach-out", "follow-up")


def _prepare(home: Path) -> tuple[Settings, str, str]:
    settings = Settings(home=home)
    clock_now = [NOW - timedelta(days=365)]
    app = App.open(settings, clock=lambda: clock_now[0])
    user_id = accounts.add_user(app, "bench@example.com", "Europe/Berlin").user.user_id
    goals.set_goal(
        app, user_id, GoalSpec(template="weekly-outreach", start=(NOW - timedelta(days=365)).date())
    )
    goals.set_goal(app, user_id, GoalSpec(template="monthly-event", start=(NOW - timedelta(days=365)).date()))
    for i in range(230):  # a year of logging, four or five actions a week
        at = NOW - timedelta(days=365) + timedelta(hours=38 * i)
        clock_now[0] = at + timedelta(hours=1)
        actions.log_action(app, user_id, KINDS[i % len(KINDS)], at, title=f"Networking action {i}")
    clock_now[0] = NOW
    path = "/feeds/" + ical.feed_links(app, settings, user_id).https.rsplit("/feeds/", 1)[1]
    app.close()
    return settings, user_id, path


def _serve_home(home: Path, now: datetime) -> tuple[subprocess.Popen[bytes], str]:
    """`netgoals api` on the embedded store in `home` (its secret key file included)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETGOALS_")}
    env |= {"NETGOALS_HOME": str(home), "NETGOALS_NOW": now.isoformat()}
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "api", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the API server did not start")


def _rate(client: httpx.Client, path: str, count: int, headers: dict[str, str], status: int) -> float:
    begin = time.perf_counter()
    for _ in range(count):
        answer = client.get(path, headers=headers)
        assert answer.status_code == status, answer.status_code
    return count / (time.perf_counter() - begin)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="per endpoint and round")
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        settings, user_id, path = _prepare(home)
        app = App.open(settings, clock=lambda: NOW)
        renders = []
        for _ in range(args.renders):
            begin = time.perf_counter()
            answer = ical.render_user_feed(app, settings, user_id)
            renders.append(time.perf_counter() - begin)
        items = len(Calendar.from_ical(answer.body).walk("VEVENT"))
        app.close()
        print(f"feed: {items} events, {len(answer.body):,} bytes")
        print(
            f"render (log → bytes, no cache): median {statistics.median(renders) * 1e3:.1f} ms"
            f" over {args.renders}"
        )
        process, base = _serve_home(home, NOW)
        try:
            rates: dict[str, list[float]] = {"trivial": [], "304": [], "full": []}
            with httpx.Client(base_url=base, timeout=30) as client:
                etag = client.get(path).headers["etag"]
                for _ in range(50):  # warm up
                    client.get("/healthz")
                    client.get(path, headers={"If-None-Match": etag})
                for _ in range(args.rounds):  # interleaved rounds: the same conditions for each
                    rates["trivial"].append(_rate(client, "/healthz", args.requests, {}, 200))
                    rates["304"].append(_rate(client, path, args.requests, {"If-None-Match": etag}, 304))
                    rates["full"].append(_rate(client, path, args.requests // 4, {}, 200))
        finally:
            process.terminate()
            process.wait(timeout=10)
    trivial = statistics.median(rates["trivial"])
    print(f"{'endpoint':<28} {'req/s':>8} {'vs trivial':>11}   (median of {args.rounds} rounds)")
    for name, label in (
        ("trivial", "GET /healthz"),
        ("304", "GET feed, If-None-Match"),
        ("full", "GET feed, full"),
    ):
        rate = statistics.median(rates[name])
        print(f"{label:<28} {rate:>8.0f} {rate / trivial:>10.2f}x")
    ratio = statistics.median(rates["304"]) / trivial
    print(f"304s vs trivial: {ratio:.2f}x (target >= 0.5: {'met' if ratio >= 0.5 else 'MISSED'})")


if __name__ == "__main__":
    main()
