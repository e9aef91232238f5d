"""What a logged action did: the goals whose count it moved, in words a person reads after logging."""

from __future__ import annotations

from typing import Any

from api.pages import charts
from api.pages.common import Session
from service.read_models import progress


def counts(session: Session) -> dict[str, dict[str, Any]]:
    return {
        line["goal_id"]: line
        for line in (x.as_dict() for x in progress.progress(session.app, session.user_id))
    }


def _dones(line: dict[str, Any]) -> tuple[int, ...]:
    return (line["done"], *(p["done"] for p in line["recent"]))


def counted_words(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> str:
    """'Counted for: <goal> — 1 of 1, met; …' for every goal whose count moved (an action on an
    earlier day may move an earlier period only), or why none did."""
    moved = []
    for goal_id, line in after.items():
        if goal_id not in before or _dones(line) == _dones(before[goal_id]):
            continue
        if line["done"] != before[goal_id]["done"]:
            status = charts.status_words(line["status"])
            moved.append(f"{line['title']} — {line['done']} of {line['target']}, {status}")
        else:
            moved.append(f"{line['title']} — in an earlier {line['frame']}")
    if not moved:
        return "Action logged. It counted for no goal (a goal may count only new people, or one set person)."
    return "Action logged. Counted for: " + "; ".join(moved) + "."
