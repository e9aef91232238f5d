"""iCal sources keep what their last read could not read: a count and the first few sentences,
so that nothing is lost without saying so.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ical_sources") as batch:
        batch.add_column(sa.Column("unread", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("unread_notes", sa.Text, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("ical_sources") as batch:
        batch.drop_column("unread_notes")
        batch.drop_column("unread")
