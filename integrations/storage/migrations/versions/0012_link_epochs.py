"""When each person last rotated their credentials: signed links (confirm, unsubscribe, address
confirmation) made before `not_before` (epoch seconds) no longer work.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_epochs",
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("not_before", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("link_epochs")
