"""Accounts: API token hashes, dashboard sessions and stored answers to idempotent requests.

These rows are mutable state, not facts: secrets never enter the event log (invariant 8 in
docs/architecture.md).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_id = sa.String(36)
_hash = sa.String(64)
_instant = sa.String(40)


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("user_id", _id, primary_key=True),
        sa.Column("token_hash", _hash, nullable=False, unique=True),
        sa.Column("created_at", _instant, nullable=False),
    )
    op.create_table(
        "web_sessions",
        sa.Column("session_hash", _hash, primary_key=True),
        sa.Column("user_id", _id, nullable=False),
        sa.Column("created_at", _instant, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_web_sessions_user", "web_sessions", ["user_id"])
    op.create_table(
        "idempotent_responses",
        sa.Column("user_id", _id, primary_key=True),
        sa.Column("idempotency_key", sa.String(200), primary_key=True),
        sa.Column("request_hash", _hash, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", _instant, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("idempotent_responses")
    op.drop_index("ix_web_sessions_user", "web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("api_tokens")
