"""`/metrics` in the Prometheus text format: tasks run, failed and retried by name, task durations,
the worst sync lag and the calendars per sync mode (never a user id), outbox depth, queue length,
workers and beat — read from Redis (what the workers counted, from any process) and the database
(what is pending), at scrape time."""

from __future__ import annotations

from collections.abc import Iterator

import redis
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric, SummaryMetricFamily
from prometheus_client.registry import Collector

from integrations.storage.projection import PROJECTIONS
from service.app import App
from service.read_models.status import system_status
from service.settings import Settings


class _Collector(Collector):
    def __init__(self, settings: Settings, app: App, client: redis.Redis) -> None:
        self.settings, self.app, self.client = settings, app, client

    def collect(self) -> Iterator[Metric]:
        found = system_status(self.settings, self.app, self.client)
        t = found.telemetry
        tasks = CounterMetricFamily(
            "netgoals_tasks", "Tasks finished, by name and outcome", labels=["task", "outcome"]
        )
        for (name, outcome), count in sorted(t.tasks.items()):
            tasks.add_metric([name, outcome], count)
        yield tasks
        durations = SummaryMetricFamily("netgoals_task_seconds", "Time spent in tasks", labels=["task"])
        for name, seconds in sorted(t.seconds.items()):
            runs = sum(c for (n, o), c in t.tasks.items() if n == name and o != "retried")
            durations.add_metric([name], runs, seconds)
        yield durations
        # Per sync mode, never per user: a label holding user ids would tell every scraper who
        # has an account, and grows with the users.
        lag = GaugeMetricFamily(
            "netgoals_sync_lag_seconds",
            "Seconds since the least recently synced calendar synced",
            labels=["mode"],
        )
        calendars = GaugeMetricFamily(
            "netgoals_calendars", "Connected calendars that have synced", labels=["mode"]
        )
        worst: dict[str, float] = {}
        counts: dict[str, int] = {}
        for calendar in found.calendars:
            if calendar.seconds_since_sync is not None:
                mode = "push" if calendar.push else "polling"
                worst[mode] = max(worst.get(mode, 0.0), calendar.seconds_since_sync)
                counts[mode] = counts.get(mode, 0) + 1
        for mode in sorted(worst):
            lag.add_metric([mode], worst[mode])
            calendars.add_metric([mode], counts[mode])
        yield lag
        yield calendars
        gauges = {
            "netgoals_outbox_pending_rows": ("Outbox rows Google has not seen yet", found.outbox_rows),
            "netgoals_outbox_pending_users": ("Users with pending outbox rows", found.outbox_users),
            "netgoals_sync_requests_pending": ("Calendars with a pending sync request", found.requested),
            "netgoals_oldest_sync_request_seconds": (
                "Age of the oldest pending sync request",
                found.oldest_request_seconds or 0.0,
            ),
            "netgoals_queue_length": ("Messages waiting in the task queue", t.queue_length),
            "netgoals_workers": ("Workers with a fresh heartbeat", len(t.workers)),
            "netgoals_beat_up": ("1 while a beat holds the schedule lock", int(t.beat_alive)),
            "netgoals_redis_up": ("1 while Redis answers", int(found.redis_error is None)),
        }
        for name, (doc, value) in gauges.items():
            yield GaugeMetricFamily(name, doc, value=value)
        held = GaugeMetricFamily(
            "netgoals_quarantined_events",
            "Events a projection could not apply and went past (see `netgoals status`)",
            labels=["projection"],
        )
        for projection in sorted({*PROJECTIONS, *found.quarantined}):
            held.add_metric([projection], found.quarantined.get(projection, 0))
        yield held


def render(settings: Settings, app: App, client: redis.Redis) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(settings, app, client))
    return generate_latest(registry)
