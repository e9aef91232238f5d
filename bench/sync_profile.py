"""Where a worker's CPU goes in one Google sync: the sync task's code (`background.sync_user`) run in
this process against the Google fake in its own process, for one connected user with one new meetup
per sync, under cProfile; prints CPU ms per sync and the functions that cost most.

Run: .venv/bin/python -m bench.sync_profile [--syncs 30] [--top 25] [--database-url URL]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import tempfile
import time
from pathlib import Path

from bench.workers import Fake, connect, environment, settings_of
from integrations.queue.embedded import EmbeddedRedis
from service import google
from service.app import App
from service.operations import background
from service.operations.jobs import Jobs, celery_app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--syncs", type=int, default=30)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="netgoals-profile-"))
    fake = Fake()
    redis_server = EmbeddedRedis(folder / "redis").start()
    env = environment(folder, fake, redis_server.url, args.database_url, "http://127.0.0.1:9")
    settings = settings_of(env)
    app = App.open(settings)
    jobs = Jobs(settings, app, celery_app(settings))
    try:
        email = "profiled@example.org"
        user_id = connect(app, google.Google.open(settings, sleep=lambda _s: None), fake, email)
        background.sync_user(jobs, user_id)  # the first sync: the calendar made, weeks planned
        profiler = cProfile.Profile()
        cpu = 0.0
        for i in range(args.syncs):
            fake.meetup(email, 60 + i)
            started = time.process_time()
            profiler.enable()
            background.sync_user(jobs, user_id)
            profiler.disable()
            cpu += time.process_time() - started
        print(f"{args.syncs} syncs: CPU {cpu / args.syncs * 1000:.1f} ms per sync (profiler included)")
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
            print(out.getvalue())
    finally:
        app.close()
        jobs.close()
        redis_server.stop()
        fake.close()


if __name__ == "__main__":
    main()
