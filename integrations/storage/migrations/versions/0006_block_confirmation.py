"""Confirmed completion of planned blocks: what became of a block, for people (`note`: "Fulfilled
by Python Meetup"), and until when the Done / Didn't happen links in its description are valid
(`links_until`, epoch seconds; NULL while the block has not passed, so no links were sent yet);
and `block_sweeps`, when a user's blocks next need the confirmation sweep (a cache).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("google_outbox", sa.Column("note", sa.Text, nullable=True))
    op.add_column("google_outbox", sa.Column("links_until", sa.Float, nullable=True))
    op.create_table(
        "block_sweeps",
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("state", sa.String(100), nullable=False),
        sa.Column("due_at", sa.Float, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("block_sweeps")
    op.drop_column("google_outbox", "links_until")
    op.drop_column("google_outbox", "note")
