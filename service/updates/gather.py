"""What a digest is made of, read from the projections and the log for one person and one week."""

from __future__ import annotations

from datetime import datetime

from domain.decisions.profile import Profile
from domain.progress_updates.digest import (
    CONFIRMED,
    CountedAction,
    Digest,
    OverdueContact,
    PlannedAction,
    build_digest,
    next_week,
)
from domain.progress_updates.updates import WaitingBlock
from domain.tracking.periods import Period, local_midnight
from integrations.storage import calendar_store, views
from integrations.storage.database import read_transaction
from service.app import App
from service.people import contacts
from service.read_models import progress as progress_service


def digest_for(app: App, profile: Profile, week: Period, waiting: list[WaitingBlock]) -> Digest:
    tz = profile.tz
    # Judged at the first moment after the week, as the immediate updates of the same run judge it.
    lines = progress_service.progress(app, profile.user_id, at=local_midnight(week.end, tz))
    overdue = [
        OverdueContact(s.contact.name, s.overdue_days or 0)
        for s in contacts.network(app, profile.user_id).overdue
    ]
    following = next_week(week)
    start, end = local_midnight(following.start, tz), local_midnight(following.end, tz)
    with read_transaction(app.engine) as connection:
        planned = [
            PlannedAction(datetime.fromtimestamp(row["start_at"], tz), row["title"])
            for row in calendar_store.outbox_rows(connection, profile.user_id)
            if row["status"] == "planned"
            and row["present"]
            and start.timestamp() <= row["start_at"] < end.timestamp()
        ]
    counted = _counted(app, profile, local_midnight(week.start, tz), local_midnight(week.end, tz))
    return build_digest(week, [line.progress for line in lines], counted, waiting, overdue, planned)


def _counted(app: App, profile: Profile, start: datetime, end: datetime) -> list[CountedAction]:
    """Done actions of the week that were not retracted, with where they came from."""
    with read_transaction(app.engine) as connection:
        payloads = views.done_payloads(connection, profile.user_id)
    found = []
    for data in payloads:
        at = datetime.fromisoformat(data["at"])
        if start <= at < end:
            title = data.get("title") or data["kind"].replace("-", " ").capitalize()
            source = _source(data.get("source"), data.get("confirmed_via"))
            found.append(CountedAction(at.astimezone(profile.tz), title, source, data.get("confirmed_via")))
    return found


def _source(source: str | None, via: str | None) -> str:
    if source in ("google", "ical"):
        return source
    return CONFIRMED if via is not None else "manual"  # a confirmed block, or logged by hand
