"""Beat's scheduler: celery-redbeat's, kept alive through a Redis that goes away.

redbeat's own `tick` extends its lock and reads the schedule from Redis with nothing around
either: a lost connection raises out of `tick` and beat exits; a Redis that comes back empty (or
after the lock expired) makes the extend raise `LockNotOwnedError`, and beat exits too. A beat
that exits stops the sweep, the updates and source polling for everyone. Here a lost Redis means
"wait and try again" (growing pauses up to `MAX_PAUSE`), a lost lock is taken again only if no
other beat took it meanwhile (else this beat waits as a second beat does), and a schedule missing
from Redis is written again. While the lock is not ours, nothing is sent.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from redbeat.schedulers import LUA_EXTEND_TO_SCRIPT, RedBeatScheduler, get_redis
from redis.exceptions import LockError

log = logging.getLogger("netgoals.beat")
MAX_PAUSE = 5.0  # seconds between attempts while Redis is away (beat's lock outlives it)
_REDIS_AWAY = (redis.ConnectionError, redis.TimeoutError)


class Scheduler(RedBeatScheduler):  # type: ignore[misc]
    _installed = False
    _pause = 0.5
    _waiting = False  # logged once per outage, not once per attempt
    _standby = False  # another beat took the lock: logged once

    def setup_schedule(self) -> None:
        try:
            super().setup_schedule()
            self._installed = True
        except _REDIS_AWAY as exc:  # at start: tick installs it once Redis answers
            self._away(exc)

    def tick(self, min: Any = min, **kwargs: Any) -> float:
        try:
            if not self._hold_lock():
                return float(self.max_interval)  # another beat runs: wait, as a second beat does
            if not self._installed or not get_redis(self.app).exists(self.app.redbeat_conf.schedule_key):
                super().setup_schedule()  # a Redis that came back empty lost the schedule too
                self._installed = True
            interval: float = super().tick(min=min, **kwargs)
        except _REDIS_AWAY as exc:
            return self._away(exc)
        if self._waiting:
            log.warning("beat: Redis answers again; scheduling")
        self._pause, self._waiting = 0.5, False
        return interval

    def _hold_lock(self) -> bool:
        """True when this beat holds the lock (kept, or taken again when nobody else holds it)."""
        if not self.lock_key:
            return True
        held: Any = getattr(self, "lock", None)
        if held is None:  # taking it at start failed (Redis was away): celery swallowed that
            client = get_redis(self.app)
            lock: Any = client.lock(self.lock_key, timeout=self.lock_timeout, sleep=self.max_interval)
            lock.lua_extend = client.register_script(LUA_EXTEND_TO_SCRIPT)  # as redbeat's own
            self.lock = lock
            return bool(lock.acquire(blocking=False))
        try:
            held.extend(int(self.lock_timeout))
            return True
        except LockError:  # expired while Redis was away, or Redis restarted without it
            taken = bool(held.acquire(blocking=False))
            if taken or not self._standby:
                said = "taken again" if taken else "another beat holds it, waiting"
                log.warning("beat: lock lost; %s", said)
            self._standby = not taken
            return taken

    def close(self) -> None:
        try:
            super().close()
        except _REDIS_AWAY:  # stopping while Redis is away: the lock expires by itself
            self.lock = None

    def _away(self, exc: Exception) -> float:
        if not self._waiting:
            log.warning("beat: Redis unreachable (%s); waiting for it", exc)
        self._waiting = True
        pause, self._pause = self._pause, min(self._pause * 2, MAX_PAUSE)
        return pause
