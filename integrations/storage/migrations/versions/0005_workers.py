"""Workers: when each calendar last synced, how it went and what it changed.

Revision ID: 0005
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "google_sync_runs",
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("last_synced_at", sa.Float, nullable=False),
        sa.Column("outcome", sa.String(30), nullable=False),
        sa.Column("changes", sa.Text, nullable=False),
    )
    op.create_index("ix_google_channels_expiration", "google_channels", ["expiration"])


def downgrade() -> None:
    op.drop_index("ix_google_channels_expiration", "google_channels")
    op.drop_table("google_sync_runs")
