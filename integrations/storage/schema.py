"""Tables: the append-only event log, projection checkpoints, and the views projections keep.

The migrations in `migrations/versions` create exactly these; this module is what queries use.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# Positions are BIGINT on PostgreSQL; on SQLite an INTEGER PRIMARY KEY is the rowid.
_Position = BigInteger().with_variant(Integer(), "sqlite")

events = Table(
    "events",
    metadata,
    Column("position", _Position, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("stream_id", String(300), nullable=False),
    Column("version", Integer, nullable=False),
    Column("user_id", String(36), nullable=True),
    Column("type", String(100), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("data", Text, nullable=False),
    Column("recorded_at", String(40), nullable=False),
    UniqueConstraint("stream_id", "version", name="uq_events_stream_version"),
    Index("ix_events_user_position", "user_id", "position"),
)

checkpoints = Table(
    "projection_checkpoints",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("position", _Position, nullable=False),
)

# How far a projection has read one user's events, when a write caught that user up ahead of the
# checkpoint above (which is then a low-water mark for everyone): integrations/storage/user_positions.py.
projection_users = Table(
    "projection_users",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("projection", String(100), primary_key=True),
    Column("position", _Position, nullable=False),
)

# Events a projection could not apply and went past (integrations/storage/quarantine.py).
quarantined = Table(
    "projection_quarantine",
    metadata,
    Column("projection", String(100), primary_key=True),
    Column("position", _Position, primary_key=True),
    Column("event_id", String(36), nullable=False),
    Column("type", String(100), nullable=False),
    Column("error", Text, nullable=False),
    Column("quarantined_at", String(40), nullable=False),
)

# --- views kept by the progress projection -------------------------------------------------------

v_users = Table(
    "v_users",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("handle", String(254), nullable=False, unique=True),
    Column("timezone", String(64), nullable=False),
    Column("week_start", Integer, nullable=False),
    Column("weekly_budget", Integer, nullable=False),
    Column("registered_at", String(40), nullable=False),
)

v_aspirations = Table(
    "v_aspirations",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("aspiration_id", String(36), primary_key=True),
    Column("text", Text, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("added_at", String(40), nullable=False),
)

v_goals = Table(
    "v_goals",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("goal_id", String(36), primary_key=True),
    Column("action", String(40), nullable=False),
    Column("data", Text, nullable=False),  # the folded Goal, see domain.tracking.goals.goal_to_dict
)

v_contacts = Table(
    "v_contacts",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("contact_id", String(36), primary_key=True),
    Column("data", Text, nullable=False),  # the folded Contact, see domain.people.contacts.contact_to_dict
    Column("first_at", Float, nullable=True),  # epoch seconds of the first and last interaction
    Column("last_at", Float, nullable=True),
    Column("interactions", Integer, nullable=False),
)

v_actions = Table(
    "v_actions",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("action_id", String(36), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("at", Float, nullable=False),  # epoch seconds, for range queries
    Column("at_iso", String(40), nullable=False),  # as logged, with its offset
    Column("contact_ids", Text, nullable=False),  # JSON list
    Column("retracted", Boolean, nullable=False),
    # The log position of the event that made the row (0: indexed before positions were kept):
    # progress counts an action.done once, when the event it applies is the one that made it.
    Column("position", _Position, nullable=False, server_default="0"),
    Index("ix_v_actions_user_kind_at", "user_id", "kind", "at"),
)

v_progress = Table(
    "v_progress",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("goal_id", String(36), primary_key=True),
    Column("period_start", Date, primary_key=True),
    Column("done", Integer, nullable=False),
)

# --- the block ledger's projection (integrations/storage/block_ledger_view.py) -------------------

# `domain/calendars/block_ledger.py` folded over each person's actions stream, kept: one row per planned
# block, per done action (what can fulfil a block) and the person's confirmation rule.
v_block_ledger = Table(
    "v_block_ledger",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("item", String(10), primary_key=True),  # block, done or rule
    Column("item_id", String(36), primary_key=True),  # the action's id ("" for the rule)
    Column("data", Text, nullable=False),  # JSON, keys sorted
)

VIEW_TABLES = (v_users, v_aspirations, v_goals, v_contacts, v_actions, v_progress, v_block_ledger)
