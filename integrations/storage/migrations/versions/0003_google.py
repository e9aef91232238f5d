"""Google Calendar: connections (encrypted tokens), OAuth states, sync tokens, the outbox,
occurrences that earned completions, push channels and dismissed suggestions.

Mutable state outside the log (invariants 6-8 in docs/architecture.md); see
integrations/storage/calendar_store/.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_id = sa.String(36)
_instant = sa.String(40)


def upgrade() -> None:
    op.create_table(
        "google_connections",
        sa.Column("user_id", _id, primary_key=True),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("tokens", sa.Text, nullable=True),
        sa.Column("goals_calendar_id", sa.String(300), nullable=True),
        sa.Column("paused_until", sa.Float, nullable=True),
        sa.Column("sync_requested", sa.Float, nullable=True),
        sa.Column("plan_fingerprint", sa.String(200), nullable=True),
        sa.Column("connected_at", _instant, nullable=False),
        sa.Column("updated_at", _instant, nullable=False),
    )
    op.create_table(
        "google_oauth_states",
        sa.Column("state_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", _id, nullable=False),
        sa.Column("sealed", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "google_sync_state",
        sa.Column("user_id", _id, primary_key=True),
        sa.Column("role", sa.String(20), primary_key=True),
        sa.Column("calendar_id", sa.String(300), nullable=False),
        sa.Column("sync_token", sa.Text, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "google_outbox",
        sa.Column("user_id", _id, primary_key=True),
        sa.Column("action_id", _id, primary_key=True),
        sa.Column("goal_id", _id, nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("start", _instant, nullable=False),
        sa.Column("end", _instant, nullable=False),
        sa.Column("start_at", sa.Float, nullable=False),
        sa.Column("period_start", sa.String(10), nullable=True),
        sa.Column("contact_ids", sa.Text, nullable=True),
        sa.Column("google_event_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("present", sa.Boolean, nullable=False),
        sa.Column("pushed", sa.Boolean, nullable=False),
        sa.Column("user_moved", sa.Boolean, nullable=False),
        sa.Column("skipped_by_user", sa.Boolean, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("pushed_revision", sa.Integer, nullable=False),
    )
    op.create_index("ix_google_outbox_event", "google_outbox", ["user_id", "google_event_id"])
    op.create_index("ix_google_outbox_pending", "google_outbox", ["user_id", "status", "start_at"])
    op.create_table(
        "google_occurrences",
        sa.Column("user_id", _id, primary_key=True),
        sa.Column("key", sa.String(600), primary_key=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("due_at", sa.Float, nullable=True),
        sa.Column("facts", sa.Text, nullable=False),
        sa.Column("counted", sa.Text, nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
    )
    op.create_index("ix_google_occurrences_due", "google_occurrences", ["user_id", "due_at"])
    op.create_table(
        "google_channels",
        sa.Column("channel_id", sa.String(64), primary_key=True),
        sa.Column("user_id", _id, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("resource_id", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("expiration", sa.Float, nullable=False),
    )
    op.create_index("ix_google_channels_user", "google_channels", ["user_id"])
    op.create_table(
        "google_dismissed",
        sa.Column("user_id", _id, primary_key=True),
        sa.Column("email", sa.String(320), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("google_dismissed")
    op.drop_index("ix_google_channels_user", "google_channels")
    op.drop_table("google_channels")
    op.drop_index("ix_google_occurrences_due", "google_occurrences")
    op.drop_table("google_occurrences")
    op.drop_index("ix_google_outbox_pending", "google_outbox")
    op.drop_index("ix_google_outbox_event", "google_outbox")
    op.drop_table("google_outbox")
    op.drop_table("google_sync_state")
    op.drop_table("google_oauth_states")
    op.drop_table("google_connections")
