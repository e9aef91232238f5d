"""CalDAV as a second calendar provider: the account (password sealed), its calendars with their
sync state, the occurrences that earned credits, and the blocks netgoals wrote.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "caldav_accounts",
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("server_url", sa.String(600), nullable=False),
        sa.Column("username", sa.String(300), nullable=False),
        sa.Column("sealed", sa.Text, nullable=True),
        sa.Column("principal", sa.String(600), nullable=False),
        sa.Column("home", sa.String(600), nullable=False),
        sa.Column("emails", sa.Text, nullable=False),
        sa.Column("goals_calendar", sa.String(600), nullable=True),
        sa.Column("plan_fingerprint", sa.String(200), nullable=True),
        sa.Column("next_poll_at", sa.Float, nullable=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_sync_at", sa.String(40), nullable=True),
        sa.Column("connected_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_caldav_accounts_next_poll", "caldav_accounts", ["next_poll_at"])
    op.create_table(
        "caldav_calendars",
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("calendar_id", sa.String(600), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("state", sa.Text, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "caldav_occurrences",
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("key", sa.String(900), primary_key=True),
        sa.Column("due_at", sa.Float, nullable=True),
        sa.Column("facts", sa.Text, nullable=False),
        sa.Column("counted", sa.Text, nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
    )
    op.create_table(
        "caldav_blocks",
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("action_id", sa.String(36), primary_key=True),
        sa.Column("uid", sa.String(100), nullable=False),
        sa.Column("calendar_id", sa.String(600), nullable=False),
        sa.Column("etag", sa.Text, nullable=True),
        sa.Column("start", sa.String(40), nullable=False),
        sa.Column("end", sa.String(40), nullable=False),
        sa.Column("present", sa.Boolean, nullable=False),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("user_title", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("caldav_blocks")
    op.drop_table("caldav_occurrences")
    op.drop_table("caldav_calendars")
    op.drop_index("ix_caldav_accounts_next_poll", "caldav_accounts")
    op.drop_table("caldav_accounts")
