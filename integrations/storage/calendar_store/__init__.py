"""Calendar state outside the log: connections with encrypted tokens, OAuth states, sync tokens,
the outbox of what Google must show, calendar occurrences that earned (or may earn) completions,
and push channels.

These are mutable rows, not facts (invariants 6-8 in docs/architecture.md): tokens are Fernet-encrypted, sync
tokens move by compare-and-set in the same transaction as the events a pull derived, and pending
remote work is a row (`revision != pushed_revision`), never only a message.

Each kind of row has its own module; this one names them all, and callers use them through it
(`calendar_store.sync_state(...)`).
"""

from __future__ import annotations

from integrations.storage.calendar_store.channels import (
    add_channel,
    channel,
    channels_of,
    drop_channel,
    live_channel,
)
from integrations.storage.calendar_store.connections import (
    ConnectionRecord,
    add_state,
    connected_users,
    connection_of,
    replace_tokens,
    save_connection,
    take_state,
    update_connection,
)
from integrations.storage.calendar_store.dismissed import dismiss, dismissed
from integrations.storage.calendar_store.occurrences import (
    Occurrence,
    counted_occurrences,
    due_occurrences,
    occurrences,
    save_occurrence,
)
from integrations.storage.calendar_store.outbox import (
    add_outbox,
    change_outbox,
    mark_pushed,
    outbox_by_event_ids,
    outbox_rows,
    repush_all,
    settle_outbox,
)
from integrations.storage.calendar_store.sync_runs import (
    Calendar,
    SyncCounts,
    SyncRun,
    as_changes,
    calendars,
    channels_expiring,
    clear_sync_request,
    google_sync_runs,
    pending_outbox,
    record_sync,
    request_sync,
    sync_run,
)
from integrations.storage.calendar_store.sync_tokens import (
    SyncState,
    advance_sync_token,
    set_calendar,
    sync_state,
)
from integrations.storage.calendar_store.tables import (
    google_channels,
    google_connections,
    google_dismissed,
    google_oauth_states,
    google_occurrences,
    google_outbox,
    google_sync_state,
    metadata,
)

__all__ = [
    "Calendar",
    "ConnectionRecord",
    "Occurrence",
    "SyncCounts",
    "SyncRun",
    "SyncState",
    "add_channel",
    "add_outbox",
    "add_state",
    "advance_sync_token",
    "as_changes",
    "calendars",
    "change_outbox",
    "channel",
    "channels_expiring",
    "channels_of",
    "clear_sync_request",
    "connected_users",
    "connection_of",
    "counted_occurrences",
    "dismiss",
    "dismissed",
    "drop_channel",
    "due_occurrences",
    "google_channels",
    "google_connections",
    "google_dismissed",
    "google_oauth_states",
    "google_occurrences",
    "google_outbox",
    "google_sync_runs",
    "google_sync_state",
    "live_channel",
    "mark_pushed",
    "metadata",
    "occurrences",
    "outbox_by_event_ids",
    "outbox_rows",
    "pending_outbox",
    "record_sync",
    "replace_tokens",
    "repush_all",
    "request_sync",
    "save_connection",
    "save_occurrence",
    "set_calendar",
    "settle_outbox",
    "sync_run",
    "sync_state",
    "take_state",
    "update_connection",
]
