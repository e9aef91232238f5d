"""A person's "send me a test", off the request path and bounded.

Sending is network I/O (SMTP, a webhook) that a slow receiver can stretch to its deadline, so the
web only records the test as a pending delivery (invariant 7: pending remote work is data) and a
worker sends it; the answer comes at once and names where the outcome shows (`GET
/api/v1/updates`). At most `PER_HOUR` tests per person in any hour: the next one is refused with
the moment it will be accepted again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from domain.errors import DomainError
from integrations.storage import update_store
from integrations.storage.database import lock_stream, write_transaction
from service.app import App
from service.updates.deliver import WAITING, row_for_test

PER_HOUR = 5
WINDOW = 3600.0


class TooManyTestsError(DomainError):
    def __init__(self, retry_after: int, at: datetime) -> None:
        super().__init__(
            f"at most {PER_HOUR} test messages an hour: try again after {at:%H:%M:%S} UTC "
            f"(in {retry_after} s)"
        )
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class QueuedTest:
    delivery_id: str
    channel: str


def queue_test(app: App, user_id: str) -> QueuedTest:
    """Record a test message for a worker to send; TooManyTestsError past PER_HOUR an hour."""
    profile = app.profile(user_id)
    chosen = profile.updates
    if not chosen.active:
        raise DomainError("updates are off: choose a channel first")
    if chosen.channel == "email" and not profile.email_confirmed(chosen.email):
        # Nothing goes to an address its owner has not confirmed, test messages included.
        raise DomainError(f"{WAITING}: open the link we sent to {chosen.email}, then try again")
    now = app.now().timestamp()
    row = row_for_test(user_id, chosen.channel, now)
    with write_transaction(app.engine) as connection:
        lock_stream(connection, f"updates-test:{user_id}")  # two requests at once count one by one
        recent = update_store.created_since(connection, user_id, row["kind"], now - WINDOW)
        if len(recent) >= PER_HOUR:
            free_at = recent[-PER_HOUR] + WINDOW
            wait = max(1, math.ceil(free_at - now))
            raise TooManyTestsError(wait, datetime.fromtimestamp(free_at, UTC))
        update_store.insert_new(connection, [row])
    return QueuedTest(row["delivery_id"], chosen.channel)
