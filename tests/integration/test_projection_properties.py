"""Property tests: the incremental projection equals a rebuild from scratch, and export→import
reproduces every projection, for random sequences of what a person does."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from integrations.storage.database import make_engine
from integrations.storage.migrate import upgrade
from service.app import App
from service.operations import archive
from service.read_models import progress as progress_service
from tests.conftest import FixedClock
from tests.integration.scenario import Step, run, snapshot, steps

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _fresh_app(folder: str, name: str, clock: FixedClock) -> App:
    engine = make_engine(f"sqlite:///{Path(folder) / name}")
    upgrade(engine)
    return App(engine, clock)


@SETTINGS
@given(steps)
def test_incremental_projection_equals_a_rebuild(scenario: list[Step]) -> None:
    clock = FixedClock(datetime(2026, 11, 28, 10, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as folder:
        app = _fresh_app(folder, "a.db", clock)
        user_id = run(app, clock, scenario).user_id
        incremental = snapshot(app.engine)
        before = [line.as_dict() for line in progress_service.progress(app, user_id)]
        app.projection.rebuild()
        assert snapshot(app.engine) == incremental
        assert [line.as_dict() for line in progress_service.progress(app, user_id)] == before
        app.close()


@SETTINGS
@given(steps)
def test_export_then_import_preserves_every_projection(scenario: list[Step]) -> None:
    clock = FixedClock(datetime(2026, 11, 28, 10, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as folder:
        source = _fresh_app(folder, "source.db", clock)
        user_id = run(source, clock, scenario).user_id
        exported = list(archive.export_lines(source, user_id))
        target = _fresh_app(folder, "target.db", clock)
        assert archive.import_lines(target, exported) == len(exported)
        assert snapshot(target.engine) == snapshot(source.engine)
        assert archive.import_lines(target, exported) == 0  # twice: nothing new
        assert [x.as_dict() for x in progress_service.progress(target, user_id)] == [
            x.as_dict() for x in progress_service.progress(source, user_id)
        ]
        source.close()
        target.close()
