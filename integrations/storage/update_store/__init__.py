"""Progress updates outside the log: the delivery outbox (pending remote work is data, invariant 7)
and each person's sealed channel secrets (webhook URL and signing secret, invariant 8)."""

from integrations.storage.update_store.channels import (
    channel_secrets,
    drop_channel_secrets,
    save_channel_secrets,
)
from integrations.storage.update_store.deliveries import (
    DELIVERED,
    FAILED,
    GATHERED,
    PENDING,
    SENDING,
    Delivery,
    claim,
    claim_one,
    created_since,
    decided_keys,
    deliveries_of,
    due_users,
    failing_channels,
    finish,
    hand_out,
    insert_finished,
    insert_new,
    pending_count,
    retry_later,
)
from integrations.storage.update_store.tables import metadata, update_channels, update_deliveries

__all__ = [
    "DELIVERED",
    "FAILED",
    "GATHERED",
    "PENDING",
    "SENDING",
    "Delivery",
    "channel_secrets",
    "claim",
    "claim_one",
    "created_since",
    "decided_keys",
    "deliveries_of",
    "drop_channel_secrets",
    "due_users",
    "failing_channels",
    "finish",
    "hand_out",
    "insert_finished",
    "insert_new",
    "metadata",
    "pending_count",
    "retry_later",
    "save_channel_secrets",
    "update_channels",
    "update_deliveries",
]
