"""The block ledger as a projection: `domain/calendars/block_ledger.py` folded over each person's actions
stream, kept in `v_block_ledger` and caught up with the other projections. Its checkpoint starts
at 0, so the first catch-up after the upgrade projects the log so far.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "v_block_ledger",
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("item", sa.String(10), primary_key=True),
        sa.Column("item_id", sa.String(36), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("v_block_ledger")
