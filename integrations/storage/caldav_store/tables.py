"""The tables of CalDAV state outside the log (migration 0013_caldav creates them): the account
with its sealed password and polling schedule, the calendars read or planned into with their sync
state, the occurrences that earned credits, and netgoals' blocks as written (UID and ETag)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

caldav_accounts = Table(
    "caldav_accounts",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("status", String(30), nullable=False),  # connected, reconnect-needed, disconnected
    Column("detail", Text, nullable=True),  # the last failure or notice, for people
    Column("server_url", String(600), nullable=False),  # where discovery started
    Column("username", String(300), nullable=False),
    Column("sealed", Text, nullable=True),  # Fernet-encrypted {"password": …}; NULL once disconnected
    Column("principal", String(600), nullable=False),
    Column("home", String(600), nullable=False),
    Column("emails", Text, nullable=False),  # JSON list: who "me" is in ATTENDEE/ORGANIZER
    Column("goals_calendar", String(600), nullable=True),  # the calendar netgoals plans into
    Column("plan_fingerprint", String(200), nullable=True),
    Column("next_poll_at", Float, nullable=True),  # epoch seconds; the workers poll when due
    Column("failures", Integer, nullable=False),  # consecutive failures: the backoff's exponent
    Column("last_sync_at", String(40), nullable=True),
    Column("connected_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Index("ix_caldav_accounts_next_poll", "next_poll_at"),
)

caldav_calendars = Table(
    "caldav_calendars",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("calendar_id", String(600), primary_key=True),  # the collection's URL
    Column("name", String(300), nullable=False),
    Column("role", String(10), nullable=False),  # read | goals
    Column("state", Text, nullable=True),  # the provider's sync state (token, ctag, ETags)
    Column("version", Integer, nullable=False),  # compare-and-set on the state (invariant 6)
)

caldav_occurrences = Table(
    "caldav_occurrences",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("key", String(900), primary_key=True),  # calendar URL/UID/instance start
    Column("due_at", Float, nullable=True),  # accepted but not over yet: look again then
    Column("facts", Text, nullable=False),  # JSON: kinds, at, title, contact_ids, attendees
    Column("counted", Text, nullable=False),  # JSON: kind -> [action_id, at]
    Column("generation", Integer, nullable=False),
)

caldav_blocks = Table(
    "caldav_blocks",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("action_id", String(36), primary_key=True),
    Column("uid", String(100), nullable=False),
    Column("calendar_id", String(600), nullable=False),
    Column("etag", Text, nullable=True),  # what we last wrote or read: If-Match
    Column("start", String(40), nullable=False),  # as written (or as the person moved it)
    Column("end", String(40), nullable=False),
    Column("present", Boolean, nullable=False),  # is it in the calendar?
    Column("title", Text, nullable=True),  # the title as last written or read
    Column("user_title", Text, nullable=True),  # the person renamed it: their words are kept
)
