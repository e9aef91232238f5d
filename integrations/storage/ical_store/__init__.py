"""iCalendar state outside the log: feed tokens, sources, counted occurrences (migrations 0007 and 0009)."""

from integrations.storage.ical_store.occurrences import (
    SourceOccurrence,
    due,
    existing_event_ids,
    forget,
    known,
    save,
)
from integrations.storage.ical_store.sources import (
    SourceRecord,
    add_derived,
    add_source,
    advance_source,
    due_sources,
    due_sources_of,
    remove_source,
    request_read,
    source,
    sources_of,
)
from integrations.storage.ical_store.tokens import (
    FeedState,
    TokenRecord,
    feed_state,
    record_body,
    replace_token,
    scopes_of,
    token_by_hash,
    token_of,
)

__all__ = [
    "FeedState",
    "SourceOccurrence",
    "SourceRecord",
    "TokenRecord",
    "add_derived",
    "add_source",
    "advance_source",
    "due",
    "due_sources",
    "due_sources_of",
    "existing_event_ids",
    "feed_state",
    "forget",
    "known",
    "record_body",
    "remove_source",
    "replace_token",
    "request_read",
    "save",
    "scopes_of",
    "source",
    "sources_of",
    "token_by_hash",
    "token_of",
]
