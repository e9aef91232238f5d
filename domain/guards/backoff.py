"""How failed sign-ins are slowed down: a count per key that decays with time, and a wait that
doubles with each failure past a few free ones. Pure arithmetic; where the counts live is the
caller's business (the database, or Redis when there is one)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    free: int = 3  # failures allowed before any wait
    base: float = 1.0  # seconds of the first wait
    cap: float = 300.0  # the longest wait
    forgive_every: float = 60.0  # one failure is forgotten per this many seconds without failures

    def decayed(self, count: float, last: float, now: float) -> float:
        """The count left at `now` of `count` failures, the last one at `last`."""
        return max(0.0, count - max(0.0, now - last) / self.forgive_every)

    def after_failure(self, count: float, last: float, now: float) -> tuple[float, float]:
        """(new count, blocked until) after one more failure at `now`."""
        count = self.decayed(count, last, now) + 1.0
        over = math.ceil(count - 1e-9) - self.free
        if over <= 0:
            return count, now
        return count, now + min(self.cap, self.base * 2 ** min(over - 1, 30))

    def idle(self, count: float, last: float, blocked_until: float, now: float) -> bool:
        """Nothing left to remember: fully decayed and not blocked."""
        return blocked_until <= now and self.decayed(count, last, now) == 0.0

    def idle_in(self, count: float, blocked_until: float, now: float) -> float:
        """Seconds from a failure at `now` (leaving `count` and `blocked_until`) until `idle` holds:
        how long a store must remember the key, and no longer."""
        return max(0.0, count * self.forgive_every, blocked_until - now)


def poll_delay(interval: float, previous: float | None, cap: float) -> float:
    """Seconds until a source that failed again is polled again: the usual interval after its
    first failure, then twice the last wait each time, at most `cap` (and never under the
    interval) — so a source that keeps failing or timing out costs less and less worker time."""
    if previous is None:
        return interval
    return max(interval, min(cap, 2 * max(previous, interval)))
