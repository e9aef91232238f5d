"""The tables of progress updates outside the log (migration 0008 creates them)."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

# One row per (update, channel): its id is derived from both, so deciding the same update twice
# inserts nothing; the row's state says what became of it.
update_deliveries = Table(
    "update_deliveries",
    metadata,
    Column("delivery_id", String(36), primary_key=True),
    Column("user_id", String(36), nullable=False),
    Column("update_key", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("channel", String(20), nullable=False),  # email | webhook
    Column("payload", Text, nullable=False),  # JSON: what to tell, rendered when sent
    Column("state", String(20), nullable=False),  # pending | sending | delivered | failed | gathered
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Float, nullable=False),  # epoch seconds
    Column("lease_until", Float, nullable=True),  # a sender holds the row until then
    Column("detail", Text, nullable=True),  # the last outcome, in words
    Column("created_at", Float, nullable=False),
    Column("finished_at", Float, nullable=True),
    # Handed to a delivery task until then (migration 0013): a tick does not hand it out twice.
    Column("queued_until", Float, nullable=True),
    Index("ix_update_deliveries_user_key", "user_id", "update_key"),
    Index("ix_update_deliveries_due", "state", "next_attempt_at"),
)

# The webhook URL (a Slack URL is itself a credential) and the signing secret, Fernet-sealed.
update_channels = Table(
    "update_channels",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("sealed", Text, nullable=False),
    Column("updated_at", Float, nullable=False),
)
