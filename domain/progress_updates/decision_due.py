"""When a person next needs a progress-update decision with nothing changing (invariant 12): the
time-driven half of "work follows change". Pure: the clock is an argument.

- Immediate updates are judged per local day (a period closes at a local midnight, and the pace a
  goal is judged against moves once a day), so they are due at the next local midnight.
- A planned block waiting for an answer is worth a reminder once it has waited a day.
- The weekly digest is due on the first morning of the person's week (`DIGEST_HOUR`).
- The daily message is due at the person's chosen time (`daily_at`, their zone).

Anything else that changes a person's progress marks them by itself, as data, with the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.progress_updates.daily import next_daily
from domain.progress_updates.digest import DIGEST_HOUR
from domain.progress_updates.updates import CONFIRM_REMINDER_AFTER
from domain.tracking.periods import local_date, local_midnight


def next_due(
    now: datetime,
    tz: ZoneInfo,
    week_start: int,
    *,
    immediate: bool,
    digest: bool,
    waiting_ended: Iterable[datetime] = (),
    daily_at: str | None = None,
) -> datetime | None:
    """The first moment after `now` at which time alone may make something worth telling; None when
    only a change can (updates off)."""
    candidates: list[datetime] = []
    today = local_date(now, tz)
    if immediate:
        candidates.append(local_midnight(today + timedelta(days=1), tz))
        candidates.extend(at for ended in waiting_ended if (at := ended + CONFIRM_REMINDER_AFTER) > now)
    if digest:
        candidates.append(next_digest_morning(now, tz, week_start))
    if daily_at is not None:
        candidates.append(next_daily(now, tz, daily_at))
    return min(candidates) if candidates else None


def next_digest_morning(now: datetime, tz: ZoneInfo, week_start: int) -> datetime:
    """The first start-of-week morning (DIGEST_HOUR, local) after `now`."""
    today = local_date(now, tz)
    ahead = (week_start - today.weekday()) % 7
    day = today + timedelta(days=ahead)
    morning = local_midnight(day, tz) + timedelta(hours=DIGEST_HOUR)
    if morning <= now:
        morning = local_midnight(day + timedelta(days=7), tz) + timedelta(hours=DIGEST_HOUR)
    return morning
