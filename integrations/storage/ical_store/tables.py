"""The tables of iCalendar state outside the log (migration 0007 creates them): feed tokens,
subscribed sources with their fetch state, and the occurrences a source has counted."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

metadata = MetaData()

ical_feed_tokens = Table(
    "ical_feed_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the token: how a request finds it
    Column("user_id", String(36), nullable=False),
    Column("scope", String(36), nullable=False),  # "" for the whole feed, else a goal id
    Column("sealed", Text, nullable=False),  # the token, Fernet-encrypted: the dashboard shows it again
    Column("created_at", String(40), nullable=False),
    # The feed's bytes as last served (SHA-256) and when they last changed: Last-Modified.
    Column("body_hash", String(64), nullable=True),
    Column("changed_at", String(40), nullable=True),
    UniqueConstraint("user_id", "scope", name="uq_ical_feed_tokens_scope"),
)

ical_sources = Table(
    "ical_sources",
    metadata,
    Column("source_id", String(36), primary_key=True),
    Column("user_id", String(36), nullable=False),
    Column("kind", String(10), nullable=False),  # url | file
    Column("identity", String(64), nullable=False),  # hash of the address: derived ids survive re-adding
    Column("url_sealed", Text, nullable=True),  # published calendar addresses are capabilities: encrypted
    Column("display", String(300), nullable=False),  # the host and a hint, for lists
    Column("trust_all", Boolean, nullable=False),
    Column("emails", Text, nullable=False),  # JSON list: the addresses that are "me" in this calendar
    Column("etag", Text, nullable=True),
    Column("last_modified", String(100), nullable=True),
    Column("interval_seconds", Integer, nullable=False),
    Column("next_due_at", Float, nullable=True),  # epoch seconds; NULL: never polled (a file)
    Column("last_fetched_at", String(40), nullable=True),
    Column("last_status", String(20), nullable=False),  # new, ok, not-modified, error
    Column("last_error", Text, nullable=True),
    Column("events_seen", Integer, nullable=False),
    Column("actions_derived", Integer, nullable=False),
    # What the last read could not read (left out, the rest read): a count and JSON sentences.
    Column("unread", Integer, nullable=False, server_default="0"),
    Column("unread_notes", Text, nullable=False, server_default="[]"),
    Column("created_at", String(40), nullable=False),
    Column("version", Integer, nullable=False),  # compare-and-set: two syncs of one source, one wins
    Index("ix_ical_sources_user", "user_id"),
    Index("ix_ical_sources_due", "next_due_at"),
)

ical_occurrences = Table(
    "ical_occurrences",
    metadata,
    Column("source_id", String(36), primary_key=True),
    Column("key", String(600), primary_key=True),  # UID / instance start
    Column("fingerprint", String(64), nullable=False),  # summary, start, location
    Column("due_at", Float, nullable=True),  # accepted, not over yet: count it at this moment
    Column("facts", Text, nullable=False),  # JSON: kinds, at, title, contact_ids
    Column("counted", Text, nullable=False),  # JSON: kind -> action id
    Index("ix_ical_occurrences_fingerprint", "source_id", "fingerprint"),
    Index("ix_ical_occurrences_due", "source_id", "due_at"),
)
