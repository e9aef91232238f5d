"""The unit of work on both engines: reads share one transaction, a write ends it so what follows
sees the write, and a failed statement does not poison the rest of the step."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.exc import DBAPIError

from integrations.storage.accounts import link_epochs
from integrations.storage.database import read_transaction, write_transaction
from service.app import App


def _epochs(engine: Engine) -> int:
    with read_transaction(engine) as connection:
        return int(connection.scalar(select(func.count()).select_from(link_epochs)) or 0)


def _add_epoch(engine: Engine, user_id: str) -> None:
    with write_transaction(engine) as connection:
        connection.execute(link_epochs.insert().values(user_id=user_id, not_before=0.0))


def test_reads_share_a_transaction_and_a_write_ends_it(
    engine: Engine, make_app: Callable[[Engine], App]
) -> None:
    app = make_app(engine)
    began: list[object] = []

    def count(connection: object) -> None:
        began.append(connection)

    event.listen(engine, "begin", count)
    with app.unit():
        assert _epochs(engine) == 0
        assert _epochs(engine) == 0
        assert len(began) == 1  # one read transaction for both
        _add_epoch(engine, "a")
        assert _epochs(engine) == 1  # a new read after the write: SQLite's snapshot sees it
        with read_transaction(engine) as connection:  # a write inside a read block
            before = connection.scalar(select(func.count()).select_from(link_epochs))
            _add_epoch(engine, "b")
            assert before == 1
        assert _epochs(engine) == 2  # the block ended: the next read begins afresh
    assert len(began) == 5  # read, write, read (the block joins it), write, read
    event.remove(engine, "begin", count)


def test_a_failed_statement_does_not_poison_the_rest_of_the_unit(
    engine: Engine, make_app: Callable[[Engine], App]
) -> None:
    app = make_app(engine)
    with app.unit():
        with pytest.raises(DBAPIError), read_transaction(engine) as connection:
            connection.execute(text("SELECT * FROM no_such_table"))
        assert _epochs(engine) == 0  # PostgreSQL would say "current transaction is aborted"


def test_the_profile_is_replayed_once_until_the_unit_writes(
    engine: Engine, make_app: Callable[[Engine], App]
) -> None:
    from service.access import users

    app = make_app(engine)
    user_id = users.register(app, "me", "Europe/Berlin").user_id
    with app.unit():
        first = app.profile(user_id)
        assert app.profile(user_id) is first
        users.change_settings(app, user_id, timezone="America/New_York")
        changed = app.profile(user_id)
        assert changed is not first and changed.timezone == "America/New_York"
