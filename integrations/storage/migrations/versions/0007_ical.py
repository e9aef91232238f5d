"""iCalendar: feed tokens (hashed for lookup, encrypted for display), subscribed sources with their
fetch state, and the occurrences each source counted.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_id = sa.String(36)
_instant = sa.String(40)


def upgrade() -> None:
    op.create_table(
        "ical_feed_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", _id, nullable=False),
        sa.Column("scope", _id, nullable=False),
        sa.Column("sealed", sa.Text, nullable=False),
        sa.Column("created_at", _instant, nullable=False),
        sa.UniqueConstraint("user_id", "scope", name="uq_ical_feed_tokens_scope"),
    )
    op.create_table(
        "ical_sources",
        sa.Column("source_id", _id, primary_key=True),
        sa.Column("user_id", _id, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("identity", sa.String(64), nullable=False),
        sa.Column("url_sealed", sa.Text, nullable=True),
        sa.Column("display", sa.String(300), nullable=False),
        sa.Column("trust_all", sa.Boolean, nullable=False),
        sa.Column("emails", sa.Text, nullable=False),
        sa.Column("etag", sa.Text, nullable=True),
        sa.Column("last_modified", sa.String(100), nullable=True),
        sa.Column("interval_seconds", sa.Integer, nullable=False),
        sa.Column("next_due_at", sa.Float, nullable=True),
        sa.Column("last_fetched_at", _instant, nullable=True),
        sa.Column("last_status", sa.String(20), nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("events_seen", sa.Integer, nullable=False),
        sa.Column("actions_derived", sa.Integer, nullable=False),
        sa.Column("created_at", _instant, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_ical_sources_user", "ical_sources", ["user_id"])
    op.create_index("ix_ical_sources_due", "ical_sources", ["next_due_at"])
    op.create_table(
        "ical_occurrences",
        sa.Column("source_id", _id, primary_key=True),
        sa.Column("key", sa.String(600), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("due_at", sa.Float, nullable=True),
        sa.Column("facts", sa.Text, nullable=False),
        sa.Column("counted", sa.Text, nullable=False),
    )
    op.create_index("ix_ical_occurrences_fingerprint", "ical_occurrences", ["source_id", "fingerprint"])
    op.create_index("ix_ical_occurrences_due", "ical_occurrences", ["source_id", "due_at"])


def downgrade() -> None:
    op.drop_table("ical_occurrences")
    op.drop_table("ical_sources")
    op.drop_table("ical_feed_tokens")
