"""Property: any sequence of the user's calendar edits, injected faults and syncs ends in the same
progress as one fault-free sync of the final calendar into a fresh database."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.decisions import GoalSpec
from integrations.storage.database import make_engine
from integrations.storage.migrate import upgrade
from service import google
from service.access import users
from service.app import App
from service.read_models import progress as progress_service
from service.tracking import goals
from tests.conftest import FixedClock
from tests.fakes.google_calendar import GoogleCalendarFake
from tests.google.conftest import ADA, NOW, TZ, settings_for

BERLIN = ZoneInfo(TZ)
SLOTS = [datetime(2026, 11, 2, 18, tzinfo=BERLIN) + timedelta(days=3 * i) for i in range(9)] + [
    datetime(2026, 12, 3, 18, tzinfo=BERLIN)  # still to come
]
RESPONSES = ("accepted", "declined", "tentative", "needsAction")
FAULTS = ("429", "500", "503", "rateLimitExceeded", "quotaExceeded", "disconnect")


@dataclass(frozen=True)
class Op:
    name: str
    args: tuple[Any, ...] = ()


ops = st.lists(
    st.one_of(
        st.builds(
            Op,
            st.just("add"),
            st.tuples(
                st.integers(0, len(SLOTS) - 1), st.sampled_from(RESPONSES), st.booleans(), st.booleans()
            ),
        ),
        st.builds(Op, st.just("respond"), st.tuples(st.integers(0, 9), st.sampled_from(RESPONSES))),
        st.builds(Op, st.just("cancel"), st.tuples(st.integers(0, 9))),
        st.builds(Op, st.just("delete"), st.tuples(st.integers(0, 9))),
        st.builds(Op, st.just("move"), st.tuples(st.integers(0, 9), st.integers(0, len(SLOTS) - 1))),
        st.builds(Op, st.just("fault"), st.tuples(st.sampled_from(FAULTS), st.sampled_from([1, 2, 6, None]))),
        st.builds(Op, st.just("clear")),
        st.builds(Op, st.just("expire")),
        st.builds(Op, st.just("sync")),
        st.builds(Op, st.just("sync")),
    ),
    max_size=14,
)


def _world(fake: GoogleCalendarFake, folder: Path, name: str) -> tuple[App, google.Google, str]:
    engine = make_engine(f"sqlite:///{folder / name}.db")
    upgrade(engine)
    app = App(engine, FixedClock(NOW))
    context = google.Google.open(
        settings_for(fake, folder / "home", google_quota_pause=0, google_num_retries=1), sleep=lambda _s: None
    )
    user_id = users.register(app, ADA, TZ).user_id
    goals.set_goal(app, user_id, GoalSpec(template="monthly-event", start=date(2026, 10, 1)))
    goals.set_goal(
        app, user_id, GoalSpec(action="attend-event", target=2, frame="week", start=date(2026, 10, 1))
    )
    url = google.begin_connect(app, context, user_id)
    params = dict(parse_qsl(urlsplit(httpx.get(url).headers["location"]).query))
    google.complete_connect(app, context, params["state"], params["code"], finisher=google.Browser(user_id))
    return app, context, user_id


def _progress(app: App, user_id: str) -> list[tuple[str, list[tuple[str, int]]]]:
    return sorted(
        (
            line.progress.goal.title,
            [(p.period.start.isoformat(), p.done) for p in line.progress.history],
        )
        for line in progress_service.progress(app, user_id)
    )


def _apply(fake: GoogleCalendarFake, made: list[str], op: Op) -> None:
    try:
        if op.name == "add":
            slot, response, keyword, invited = op.args
            start = SLOTS[slot]
            event: dict[str, Any] = {
                "summary": "Networking meetup" if keyword else "Team lunch",
                "start": {"dateTime": start.isoformat()},
                "end": {"dateTime": (start + timedelta(hours=2)).isoformat()},
            }
            if invited:
                event["organizer"] = {"email": "host@x.org"}
                event["attendees"] = [
                    {"email": ADA, "responseStatus": response},
                    {"email": "host@x.org", "responseStatus": "accepted"},
                ]
            made.append(fake.add_event(ADA, event)["id"])
        elif op.name in ("respond", "cancel", "delete", "move") and made:
            event_id = made[op.args[0] % len(made)]
            if op.name == "respond":
                fake.set_response_status(ADA, event_id, op.args[1])
            elif op.name == "cancel":
                fake.cancel_event(ADA, event_id)
            elif op.name == "delete":
                fake.delete_event(ADA, event_id)
            else:
                fake.move_event(ADA, event_id, start=SLOTS[op.args[1]])
        elif op.name == "fault":
            fake.inject_fault(op.args[0], count=op.args[1])
        elif op.name == "clear":
            fake.clear_faults()
        elif op.name == "expire":
            fake.expire_sync_tokens(ADA, "primary")
    except Exception as exc:  # editing a deleted event: the fake refuses, like Google's UI
        if type(exc).__name__ != "ControlError":
            raise


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_any_edits_faults_and_syncs_end_like_one_clean_sync(sequence: list[Op]) -> None:
    with tempfile.TemporaryDirectory() as folder, GoogleCalendarFake() as fake:
        fake.add_user(ADA, time_zone=TZ)
        app, context, user_id = _world(fake, Path(folder), "edited")
        made: list[str] = []
        for op in sequence:
            if op.name == "sync":
                google.sync_once(app, context, user_id)
            else:
                _apply(fake, made, op)
        fake.clear_faults()
        for _ in range(2):
            report = google.sync_once(app, context, user_id)
            assert report.error is None, report.error
        reference, ref_context, ref_user = _world(fake, Path(folder), "reference")
        assert google.sync_once(reference, ref_context, ref_user).error is None
        assert _progress(app, user_id) == _progress(reference, ref_user)
        app.close()
        reference.close()
