"""Quarantined events: what a projection could not apply, recorded as it moved past them.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "projection_quarantine",
        sa.Column("projection", sa.String(100), primary_key=True),
        sa.Column("position", _position, primary_key=True),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("quarantined_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("projection_quarantine")
