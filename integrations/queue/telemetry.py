"""What the workers leave in Redis for operators: task counters and durations by name, worker
heartbeats, beat's last sweep. `/metrics` and `netgoals status` read it back from any process (the
API and the workers may run on different machines, so process-local counters would not do).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import redis

_TASKS = "netgoals:metrics:tasks"  # hash: "{name}|{outcome}" -> count
_SECONDS = "netgoals:metrics:seconds"  # hash: name -> total seconds
_WORKERS = "netgoals:workers"  # hash: hostname -> last heartbeat (epoch seconds)
_SWEEP = "netgoals:last_sweep"  # hash: at, enqueued
HEARTBEAT_SECONDS = 10


def record_task(client: redis.Redis, name: str, outcome: str, seconds: float) -> None:
    pipe = client.pipeline()
    pipe.hincrby(_TASKS, f"{name}|{outcome}", 1)
    if outcome != "retried":
        pipe.hincrbyfloat(_SECONDS, name, seconds)
    pipe.execute()


def heartbeat(client: redis.Redis, hostname: str, now: float | None = None) -> None:
    client.hset(_WORKERS, hostname, now if now is not None else time.time())


def worker_gone(client: redis.Redis, hostname: str) -> None:
    client.hdel(_WORKERS, hostname)


def record_sweep(client: redis.Redis, enqueued: int, now: float | None = None) -> None:
    client.hset(_SWEEP, mapping={"at": now if now is not None else time.time(), "enqueued": enqueued})


@dataclass(frozen=True, slots=True)
class Telemetry:
    tasks: dict[tuple[str, str], int] = field(default_factory=dict)  # (name, outcome) -> count
    seconds: dict[str, float] = field(default_factory=dict)
    workers: dict[str, float] = field(default_factory=dict)  # live ones: hostname -> heartbeat
    last_sweep: float | None = None
    last_sweep_enqueued: int = 0
    queue_length: int = 0
    beat_alive: bool = False


def read(
    client: redis.Redis, queue: str | tuple[str, ...], beat_lock_key: str, now: float | None = None
) -> Telemetry:
    """The counters, and the length of the queue (or the sum over several: urgent, default, bulk)."""
    now = now if now is not None else time.time()
    queues = (queue,) if isinstance(queue, str) else queue
    pipe = client.pipeline()
    pipe.hgetall(_TASKS)
    pipe.hgetall(_SECONDS)
    pipe.hgetall(_WORKERS)
    pipe.hgetall(_SWEEP)
    pipe.exists(beat_lock_key)
    for name in queues:
        pipe.llen(name)
    tasks, seconds, workers, sweep, beat, *lengths = pipe.execute()
    length = sum(int(n) for n in lengths)
    counts: dict[tuple[str, str], int] = {}
    for key, value in tasks.items():
        name, _, outcome = key.partition("|")
        counts[(name, outcome)] = int(value)
    live = {h: float(t) for h, t in workers.items() if now - float(t) < 3 * HEARTBEAT_SECONDS}
    return Telemetry(
        counts,
        {k: float(v) for k, v in seconds.items()},
        live,
        float(sweep["at"]) if sweep.get("at") else None,
        int(sweep.get("enqueued", 0)),
        int(length),
        bool(beat),
    )
