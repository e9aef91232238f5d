"""The tables of Google Calendar state outside the log (migration 0003 creates them)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

google_connections = Table(
    "google_connections",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("status", String(30), nullable=False),  # connected, reconnect-needed, disconnected
    Column("detail", Text, nullable=True),  # the last failure or notice, for people
    Column("tokens", Text, nullable=True),  # Fernet-encrypted JSON; NULL once disconnected
    Column("goals_calendar_id", String(300), nullable=True),
    Column("paused_until", Float, nullable=True),  # epoch seconds (quotaExceeded)
    Column("sync_requested", Float, nullable=True),  # epoch seconds; a push notification asked
    Column("plan_fingerprint", String(200), nullable=True),
    Column("connected_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

google_oauth_states = Table(
    "google_oauth_states",
    metadata,
    Column("state_hash", String(64), primary_key=True),
    Column("user_id", String(36), nullable=False),
    Column("sealed", Text, nullable=False),  # encrypted {code_verifier, redirect_uri}
    Column("created_at", Float, nullable=False),
)

google_sync_state = Table(
    "google_sync_state",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("role", String(20), primary_key=True),  # primary | goals
    Column("calendar_id", String(300), nullable=False),
    Column("sync_token", Text, nullable=True),
    Column("version", Integer, nullable=False),
)

google_outbox = Table(
    "google_outbox",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("action_id", String(36), primary_key=True),
    Column("goal_id", String(36), nullable=True),
    Column("kind", String(40), nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("start", String(40), nullable=False),
    Column("end", String(40), nullable=False),
    Column("start_at", Float, nullable=False),
    Column("period_start", String(10), nullable=True),
    Column("contact_ids", Text, nullable=True),  # comma-separated, for follow-up blocks
    Column("google_event_id", String(64), nullable=False),
    Column("status", String(20), nullable=False),  # planned, done, skipped, removed
    Column("present", Boolean, nullable=False),  # should Google show it?
    Column("pushed", Boolean, nullable=False),  # was it ever inserted?
    Column("user_moved", Boolean, nullable=False),
    Column("skipped_by_user", Boolean, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("pushed_revision", Integer, nullable=False),
    Column("note", Text, nullable=True),  # what became of it, for people (migration 0006)
    Column("links_until", Float, nullable=True),  # its confirm links are valid until (epoch seconds)
    Index("ix_google_outbox_event", "user_id", "google_event_id"),
    Index("ix_google_outbox_pending", "user_id", "status", "start_at"),
)

google_occurrences = Table(
    "google_occurrences",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("key", String(600), primary_key=True),  # calendarId/eventId/originalStart
    Column("role", String(20), nullable=False),
    Column("due_at", Float, nullable=True),  # accepted but not over yet: look again at this moment
    Column("facts", Text, nullable=False),  # JSON: kinds, at, title, contact_ids, attendees
    Column("counted", Text, nullable=False),  # JSON: kind -> [action_id, at]
    Column("generation", Integer, nullable=False),
    Index("ix_google_occurrences_due", "user_id", "due_at"),
)

google_channels = Table(
    "google_channels",
    metadata,
    Column("channel_id", String(64), primary_key=True),
    Column("user_id", String(36), nullable=False),
    Column("role", String(20), nullable=False),
    Column("resource_id", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("expiration", Float, nullable=False),
    Index("ix_google_channels_user", "user_id"),
)

google_dismissed = Table(
    "google_dismissed",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("email", String(320), primary_key=True),
)
