"""Every event type × every reader of the log: each reader's own table (kept next to the reader)
says, for every type that exists, whether it is handled or ignored on purpose. A new event type
fails here until each reader has decided about it (issue 22, after `action.confirmation-adopted`
broke the feed and showed as a bare "Change" in the history)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import pytest

from domain.calendars import block_ledger, feed
from domain.decisions import profile
from domain.event_types import events as ev
from domain.event_types import fold, upcasting
from domain.progress_updates import digest
from integrations.storage import action_index, progress_views
from service.operations import archive
from service.read_models import history

READERS: dict[str, Mapping[str, str]] = {
    "the history's labels (service/read_models/history.py)": history.EVENT_READING,
    "the feed's fold (domain/calendars/feed.py)": feed.EVENT_READING,
    "the weekly digest (domain/progress_updates/digest.py)": digest.EVENT_READING,
    "export and import (service/operations/archive.py)": archive.EVENT_READING,
    "the upcasters (domain/event_types/upcasting.py)": upcasting.reading(),
    "the profile (domain/decisions/profile.py)": profile.EVENT_READING,
    "the rebuild's fold (domain/event_types/fold.py)": fold.EVENT_READING,
    "the progress views (integrations/storage/progress_views.py)": progress_views.EVENT_READING,
    "the action index (integrations/storage/action_index.py)": action_index.EVENT_READING,
    "the block ledger (domain/calendars/block_ledger.py)": block_ledger.EVENT_READING,
}


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("event_type", sorted(ev.ALL_EVENT_TYPES))
def test_every_reader_decides_about_every_event_type(reader: str, event_type: str) -> None:
    assert READERS[reader].get(event_type) in (ev.HANDLED, ev.IGNORED), (
        f"{reader} says nothing about {event_type!r}: handle it or list it as ignored on purpose"
    )


@pytest.mark.parametrize("reader", sorted(READERS))
def test_no_reader_names_a_type_that_does_not_exist(reader: str) -> None:
    assert set(READERS[reader]) <= ev.ALL_EVENT_TYPES


def _ignored(table: Mapping[str, str]) -> list[str]:
    return sorted(t for t, how in table.items() if how == ev.IGNORED)


@pytest.mark.parametrize("event_type", _ignored(feed.EVENT_READING))
def test_what_the_feed_ignores_it_never_reads(event_type: str) -> None:
    """Ignored really is ignored: a payload without an action id (the cut-over's) folds to nothing."""
    at = datetime(2026, 11, 25, tzinfo=UTC)
    assert feed.fold_actions([feed.LogEntry(event_type, {"at": at.isoformat()}, at)]) == {}


@pytest.mark.parametrize("event_type", _ignored(block_ledger.EVENT_READING))
def test_what_the_block_ledger_ignores_it_never_reads(event_type: str) -> None:
    ledger = block_ledger.BlockLedger()
    ledger.apply(event_type, {})
    assert ledger == block_ledger.BlockLedger()


@pytest.mark.parametrize("event_type", _ignored(profile.EVENT_READING))
def test_what_the_profile_ignores_it_never_reads(event_type: str) -> None:
    folded = profile.Profile("u1")
    folded.apply(event_type, {})
    assert (folded.goals, folded.contacts, folded.aspirations) == ({}, {}, {})


def test_a_reader_cannot_both_handle_and_ignore_a_type() -> None:
    with pytest.raises(ValueError, match="both handled and ignored"):
        ev.reading(handled=(ev.ACTION_DONE,), ignored=(ev.ACTION_DONE,))
