"""Networking actions as facts: what was done, when, with whom — and whether it was retracted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class ActionFact:
    """What progress needs of a done action (its title and note stay in the log)."""

    action_id: str
    kind: str
    at: datetime
    contact_ids: tuple[str, ...] = ()
    retracted: bool = False
    position: int = 0  # where the log holds its `action.done` (0: folded without positions)


def action_from_done(data: dict[str, Any]) -> ActionFact:
    contacts = data.get("contact_ids")
    return ActionFact(
        data["action_id"],
        data["kind"],
        datetime.fromisoformat(data["at"]),
        tuple(contacts) if contacts else (),
    )


@dataclass(frozen=True, slots=True)
class Interactions:
    """What the log says about one contact: first and last time we did something together."""

    first: datetime | None = None
    last: datetime | None = None
    count: int = 0


def interactions_by_contact(actions: Iterable[ActionFact]) -> dict[str, Interactions]:
    firsts: dict[str, datetime] = {}
    lasts: dict[str, datetime] = {}
    counts: dict[str, int] = {}
    for action in actions:
        if action.retracted:
            continue
        for contact_id in action.contact_ids:
            first = firsts.get(contact_id)
            if first is None or action.at < first:
                firsts[contact_id] = action.at
            last = lasts.get(contact_id)
            if last is None or action.at > last:
                lasts[contact_id] = action.at
            counts[contact_id] = counts.get(contact_id, 0) + 1
    return {c: Interactions(firsts[c], lasts[c], counts[c]) for c in counts}
