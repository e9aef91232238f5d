"""The event log (append-only at the database level), checkpoints and the progress views.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_id = sa.String(36)
_instant = sa.String(40)

_PG_APPEND_ONLY = """
CREATE FUNCTION netgoals_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the events table is append-only: % is not allowed', TG_OP;
END $$;
CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION netgoals_events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION netgoals_events_append_only();
"""

_SQLITE_APPEND_ONLY = (
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'the events table is append-only: UPDATE is not allowed'); END",
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
    "BEGIN SELECT RAISE(ABORT, 'the events table is append-only: DELETE is not allowed'); END",
)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("position", _position, primary_key=True, autoincrement=True),
        sa.Column("event_id", _id, nullable=False, unique=True),
        sa.Column("stream_id", sa.String(300), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("user_id", _id, nullable=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("recorded_at", _instant, nullable=False),
        sa.UniqueConstraint("stream_id", "version", name="uq_events_stream_version"),
    )
    op.create_index("ix_events_user_position", "events", ["user_id", "position"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_APPEND_ONLY)
    else:
        for statement in _SQLITE_APPEND_ONLY:
            op.execute(statement)

    op.create_table(
        "projection_checkpoints",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("position", _position, nullable=False),
    )
    op.create_table(
        "v_users",
        sa.Column("user_id", _id, primary_key=True),
        sa.Column("handle", sa.String(254), nullable=False, unique=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("week_start", sa.Integer, nullable=False),
        sa.Column("weekly_budget", sa.Integer, nullable=False),
        sa.Column("registered_at", _instant, nullable=False),
    )
    op.create_table(
        "v_aspirations",
        sa.Column("user_id", _id, primary_key=True),
        sa.Column("aspiration_id", _id, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("added_at", _instant, nullable=False),
    )
    op.create_table(
        "v_goals",
        sa.Column("user_id", _id, primary_key=True),
        sa.Column("goal_id", _id, primary_key=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_table(
        "v_contacts",
        sa.Column("user_id", _id, primary_key=True),
        sa.Column("contact_id", _id, primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("first_at", sa.Float, nullable=True),
        sa.Column("last_at", sa.Float, nullable=True),
        sa.Column("interactions", sa.Integer, nullable=False),
    )
    op.create_table(
        "v_actions",
        sa.Column("user_id", _id, primary_key=True),
        sa.Column("action_id", _id, primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("at_iso", _instant, nullable=False),
        sa.Column("contact_ids", sa.Text, nullable=False),
        sa.Column("retracted", sa.Boolean, nullable=False),
    )
    op.create_index("ix_v_actions_user_kind_at", "v_actions", ["user_id", "kind", "at"])
    op.create_table(
        "v_progress",
        sa.Column("user_id", _id, primary_key=True),
        sa.Column("goal_id", _id, primary_key=True),
        sa.Column("period_start", sa.Date, primary_key=True),
        sa.Column("done", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("the event log is never dropped by a migration")
