"""Occurrences recovered from the log, for calendar events the calendar state has no row for (a
restore of the log alone, a rebuilt database, a second server): which credits an event earned and
which of them still count, so a re-sync neither appends them again nor forgets to retract them.

Pull derives every credit's ids from its source (`service/google/ids.py`): the n-th credit of an
occurrence (its generation) is the action `credit_action_id(user, key, kind, n)` — or, first of
all, the planned action of one of our own blocks — with `done_id` and `retracted_id` of it. So the
log answers by id: probe generation 0, 1, ... until none is there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from uuid import UUID

from sqlalchemy import Connection

from domain.tracking.goals import ACTION_KINDS
from integrations.storage import calendar_store as store
from integrations.storage.event_store import EventStore
from service.google.ids import credit_action_id, done_id, retracted_id


def recover(
    connection: Connection, user_id: str, role: str, keys: Sequence[str], own: Mapping[str, str]
) -> dict[str, store.Occurrence]:
    """Occurrences for those keys the log holds credits of; `own` maps a key to the action of our
    own block it shows (its first credit is that action)."""
    found: dict[str, store.Occurrence] = {}
    generation = dict.fromkeys(keys, 0)
    while generation:
        probes: dict[UUID, tuple[str, str]] = {}  # done id -> (key, action id)
        for key, n in generation.items():
            candidates = [credit_action_id(user_id, key, kind, n) for kind in ACTION_KINDS]
            if n == 0 and key in own:
                candidates.append(own[key])
            probes.update({done_id(action_id): (key, action_id) for action_id in candidates})
        done = EventStore.payloads(connection, probes)
        next_round: dict[str, int] = {}
        for event_id, data in done.items():  # one credit per generation: at most one hit per key
            key, action_id = probes[event_id]
            occurrence = found.setdefault(key, store.Occurrence(key, role, None, {}, {}, 0, stored=False))
            occurrence.counted[data["kind"]] = [action_id, data["at"]]  # a later credit replaces one
            occurrence.generation = next_round[key] = generation[key] + 1
        generation = next_round
    _drop_retracted(connection, found.values())
    return found


def _drop_retracted(connection: Connection, occurrences: Iterable[store.Occurrence]) -> None:
    """A credit whose retraction is in the log no longer counts."""
    credits = {
        retracted_id(action_id): (occurrence, kind)
        for occurrence in occurrences
        for kind, (action_id, _at) in occurrence.counted.items()
    }
    retracted = EventStore.payloads(connection, credits)
    for event_id in retracted:
        occurrence, kind = credits[event_id]
        del occurrence.counted[kind]
