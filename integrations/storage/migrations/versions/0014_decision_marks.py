"""Decision marks (invariant 12): who needs a progress-update decision and when; and when a due
delivery was last handed to a delivery task (`queued_until`), so a tick does not hand it out again
while it waits in the queue.

Everyone already in the log is marked due now: the first tick after the upgrade decides for each
person once, as the old walk did, and from then on only for those who changed or are due.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_marks",
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("due_at", sa.Float, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("claimed_until", sa.Float, nullable=True),
    )
    op.create_index("ix_decision_marks_due", "decision_marks", ["due_at"])
    op.execute(
        "INSERT INTO decision_marks (user_id, due_at, version) "
        "SELECT DISTINCT user_id, 0, 1 FROM events WHERE user_id IS NOT NULL"
    )
    with op.batch_alter_table("update_deliveries") as table:
        table.add_column(sa.Column("queued_until", sa.Float, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("update_deliveries") as table:
        table.drop_column("queued_until")
    op.drop_index("ix_decision_marks_due", "decision_marks")
    op.drop_table("decision_marks")
