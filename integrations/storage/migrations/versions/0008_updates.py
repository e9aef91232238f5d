"""Progress updates: the delivery outbox and each person's sealed channel secrets.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "update_deliveries",
        sa.Column("delivery_id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("update_key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.Float, nullable=False),
        sa.Column("lease_until", sa.Float, nullable=True),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("finished_at", sa.Float, nullable=True),
    )
    op.create_index("ix_update_deliveries_user_key", "update_deliveries", ["user_id", "update_key"])
    op.create_index("ix_update_deliveries_due", "update_deliveries", ["state", "next_attempt_at"])
    op.create_table(
        "update_channels",
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("sealed", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("update_channels")
    op.drop_index("ix_update_deliveries_due", "update_deliveries")
    op.drop_index("ix_update_deliveries_user_key", "update_deliveries")
    op.drop_table("update_deliveries")
