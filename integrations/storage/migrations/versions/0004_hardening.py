"""Hardening (issue 9): failed sign-in counts shared by every API process (hashed keys, decaying
counts), and the log position of the event that made each action index row, so progress counts
an action once without recounting its period.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("key_hash", sa.String(64), primary_key=True),
        sa.Column("count", sa.Float, nullable=False),
        sa.Column("last_failure", sa.Float, nullable=False),
        sa.Column("blocked_until", sa.Float, nullable=False),
    )
    # Rows indexed before this revision keep position 0: progress recounts their periods.
    position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.add_column("v_actions", sa.Column("position", position, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("v_actions") as batch:
        batch.drop_column("position")
    op.drop_table("sign_in_failures")
