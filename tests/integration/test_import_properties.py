"""Property: a person's import of their own export, onto a store that holds a part of it, appends
the rest exactly when every new line is a person's own fact, and then reproduces every view; it
appends nothing otherwise, naming the first line that is not theirs. The operator's restore takes
the rest whatever it is. For random sequences of what a person does (tests/integration/scenario.py)."""

from __future__ import annotations

import json
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.event_types import events as ev
from integrations.storage.database import make_engine
from integrations.storage.migrate import upgrade
from service.app import App
from service.operations import archive
from tests.conftest import FixedClock
from tests.integration.scenario import Step, run, snapshot, steps


def _app(folder: str, name: str, clock: FixedClock) -> App:
    engine = make_engine(f"sqlite:///{Path(folder) / name}")
    upgrade(engine)
    return App(engine, clock)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps, st.floats(min_value=0.0, max_value=1.0))
def test_a_persons_import_of_their_own_export_takes_only_their_own_facts(
    scenario: list[Step], held: float
) -> None:
    clock = FixedClock(datetime(2026, 11, 28, 10, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as folder:
        source = _app(folder, "source.db", clock)
        user_id = run(source, clock, scenario).user_id
        exported = list(archive.export_lines(source, user_id))
        split = max(1, int(len(exported) * held))  # the target holds the first part: a restore
        target = _app(folder, "target.db", clock)
        archive.import_lines(target, exported[:split])
        head = target.store.head_position()
        rest = [(n, json.loads(line)["type"]) for n, line in enumerate(exported, start=1)][split:]
        not_theirs = [(n, t) for n, t in rest if t not in ev.PERSON_EVENT_TYPES]
        event("refused" if not_theirs else "accepted" if rest else "nothing new")
        if not_theirs:
            number, event_type = not_theirs[0]
            with pytest.raises(
                DomainError, match=rf"^line {number}: {re.escape(event_type)} cannot be imported"
            ):
                archive.import_lines(target, exported, owner=user_id)
            assert target.store.head_position() == head  # all or nothing
            assert archive.import_lines(target, exported) == len(rest)  # the operator's restore
        else:  # a person's own facts are all accepted
            assert archive.import_lines(target, exported, owner=user_id) == len(rest)
        assert snapshot(target.engine) == snapshot(source.engine)
        assert archive.import_lines(target, exported, owner=user_id) == 0  # again: nothing new
        source.close()
        target.close()
