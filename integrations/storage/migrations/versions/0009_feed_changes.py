"""Feed tokens remember the hash of the bytes they last served and when those bytes changed, so the
feed's Last-Modified follows its content (not the log or the clock).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ical_feed_tokens") as batch:
        batch.add_column(sa.Column("body_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("changed_at", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ical_feed_tokens") as batch:
        batch.drop_column("changed_at")
        batch.drop_column("body_hash")
