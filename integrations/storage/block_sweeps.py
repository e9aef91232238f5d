"""When a user's blocks next need the confirmation sweep: a cache, not a fact (migration 0006).

The sweep folds the user's whole actions stream; with nothing new in the log and no deadline
crossed (a block ending, a week without an answer) it would decide nothing, so it stops after one
lookup here. Losing or clearing this table only costs a full sweep.
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, Float, MetaData, String, Table, select
from sqlalchemy.dialects import postgresql, sqlite

metadata = MetaData()

block_sweeps = Table(
    "block_sweeps",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("state", String(100), nullable=False),  # what the last sweep saw: log versions, settings
    Column("due_at", Float, nullable=True),  # epoch seconds; NULL: no deadline ahead
)


def last_sweep(connection: Connection, user_id: str) -> tuple[str, float | None] | None:
    row = connection.execute(
        select(block_sweeps.c.state, block_sweeps.c.due_at).where(block_sweeps.c.user_id == user_id)
    ).first()
    return (row[0], row[1]) if row is not None else None


def remember_sweep(connection: Connection, user_id: str, state: str, due_at: float | None) -> None:
    # One upsert: a delete-then-insert let two concurrent sweeps of one user collide on the key
    # (PostgreSQL: the second delete misses the row the first inserted).
    dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
    statement = dialect.insert(block_sweeps).values(user_id=user_id, state=state, due_at=due_at)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[block_sweeps.c.user_id], set_={"state": state, "due_at": due_at}
        )
    )
