"""Per-user projection positions: a write catches up its own user's projection work without the
global checkpoint row, which becomes a low-water mark moved by the background catch-up.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "projection_users",
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("projection", sa.String(100), primary_key=True),
        sa.Column("position", _POSITION, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("projection_users")
