"""Every event type × every reader of the log: each reader's own table (kept next to the reader)
says, for every type that exists, whether it is handled or ignored on purpose. A new event type
fails here until each reader has decided about it (issue 22)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from domain import events as ev
from domain import feed
from service import history

READERS: dict[str, Mapping[str, str]] = {
    "the feed's fold (domain/feed.py)": feed.EVENT_READING,
    "the history's labels (service/history.py)": history.EVENT_READING,
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
