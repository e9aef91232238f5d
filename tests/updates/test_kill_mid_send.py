"""Kill -9 a sender in the middle of sending, again and again: every update arrives, and none is
told twice (a resend after a kill between the server's "accepted" and our record carries the same
Message-ID, so the mailbox holds it once). Prints its figures."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import Engine, select

from domain.decisions import GoalSpec
from domain.progress_updates.updates import CONFIRM_EMAIL
from integrations.storage.update_store import update_deliveries
from service.access import users
from service.app import App
from service.tracking import actions, goals
from service.updates import decide
from tests.conftest import FixedClock
from tests.updates.conftest import choose_email, make_settings
from tests.updates.receivers import MailBox, SmtpServer

PEOPLE = 12
TRIALS = 12
ROOT = Path(__file__).resolve().parents[2]


class SlowMailBox(MailBox):
    """Takes a moment over each message, so kills land mid-send."""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await asyncio.sleep(0.1)
        return await super().handle_DATA(server, session, envelope)


def _claims(engine: Engine) -> int:
    with engine.connect() as connection:
        return sum(connection.scalars(select(update_deliveries.c.attempts)))


# The updates under test, not the confirmation mails each address got before (sent before the kills).
UPDATES = update_deliveries.c.kind != CONFIRM_EMAIL


def _states(engine: Engine) -> Counter[str]:
    with engine.connect() as connection:
        return Counter(connection.scalars(select(update_deliveries.c.state).where(UPDATES)))


def test_kill_9_mid_send_loses_nothing_and_tells_nothing_twice(
    tmp_path: Path, engine: Engine, clock: FixedClock, database_url: str
) -> None:
    clock.set("2026-11-25T10:00:00+00:00")
    server = SmtpServer()
    server.box = SlowMailBox()
    server.controller.handler = server.box
    with server:
        settings = make_settings(tmp_path, server.port, database_url, update_lease_seconds=0.5)
        app = App(engine, clock)
        from service.updates import Updates

        context = Updates.open(settings)
        for n in range(PEOPLE):
            user_id = users.register(app, f"p{n}@example.org", "Europe/Berlin").user_id
            goals.set_goal(app, user_id, GoalSpec(template="monthly-event"))
            actions.log_action(
                app, user_id, "attend-event", datetime.fromisoformat("2026-11-24T19:00:00+01:00")
            )
            choose_email(app, context, server.box, user_id, f"p{n}@example.org")
            assert decide(app, context, user_id) == 1
        assert decide(app, context, user_id) == 0  # a second decider adds nothing

        env = {
            **os.environ,
            "NETGOALS_HOME": str(tmp_path),
            "NETGOALS_DATABASE_URL": database_url,
            "NETGOALS_SECRET_KEY": settings.secret_key.get_secret_value() if settings.secret_key else "",
            "NETGOALS_SMTP_HOST": "127.0.0.1",
            "NETGOALS_SMTP_PORT": str(server.port),
            "NETGOALS_SMTP_SECURITY": "none",
            "NETGOALS_PUBLIC_URL": "https://netgoals.test",
            "NETGOALS_UPDATE_LEASE_SECONDS": "0.5",
            "NETGOALS_NOW": "",
        }
        env.pop("NETGOALS_NOW")
        rng = random.Random(1234)
        kills = 0
        deadline = time.monotonic() + 60
        for _trial in range(TRIALS):
            claims = _claims(engine)
            sender = subprocess.Popen([sys.executable, "-m", "tests.updates.sender_loop"], cwd=ROOT, env=env)
            started = time.monotonic()
            while _claims(engine) == claims and time.monotonic() - started < 5:
                time.sleep(0.005)  # until it has claimed a delivery: then it is sending
            time.sleep(rng.uniform(0.0, 0.15))  # somewhere inside the send (about 0.1 s) or just after
            sender.send_signal(signal.SIGKILL)
            sender.wait()
            kills += 1
        # A last sender without interruption finishes whatever is left.
        sender = subprocess.Popen([sys.executable, "-m", "tests.updates.sender_loop"], cwd=ROOT, env=env)
        try:
            while _states(engine)["delivered"] < PEOPLE and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            sender.send_signal(signal.SIGKILL)
            sender.wait()

    received = Counter(m["Message-ID"] for m in server.box.messages)
    with engine.connect() as connection:
        ids = connection.scalars(select(update_deliveries.c.delivery_id).where(UPDATES))
        expected = {f"<{d}@netgoals>" for d in ids}
        interrupted = sum(1 for a in connection.scalars(select(update_deliveries.c.attempts)) if a > 1)
    lost = expected - set(received)
    transmissions = sum(received.values())
    print(
        f"\nkill -9 mid-send: trials {kills}, updates {len(expected)}, delivered {len(set(received))}, "
        f"sends interrupted {interrupted}, lost {len(lost)}, "
        f"transmissions {transmissions} ({transmissions - len(received)} resent under the same Message-ID)"
    )
    assert _states(engine) == Counter({"delivered": PEOPLE})
    assert not lost
    assert set(received) == expected  # nothing but these, each under its own Message-ID
    assert transmissions - len(received) <= kills  # a kill can cause at most one resend
