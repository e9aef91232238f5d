"""The scale benchmark's builder (bench/scale.py) makes what the service would have made: it appends
the people's events and rebuilds the projections once, in bulk, and that equals catching up event by
event — here the same log imported into a second database, whose import catches up — view for view
and in each person's progress as the service reads it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from bench.scale import BERLIN
from bench.scale_people import build
from integrations.storage.database import make_engine
from integrations.storage.migrate import upgrade
from service.app import App
from service.operations import archive
from service.read_models.progress import progress
from tests.conftest import scratch_postgres
from tests.integration.scenario import snapshot


def _engine(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    return engine


def test_the_scale_builder_makes_the_views_catching_up_would(make_app: Callable[[Engine], App]) -> None:
    with scratch_postgres() as built_url, scratch_postgres() as caught_up_url:
        built_engine, caught_up_engine = _engine(built_url), _engine(caught_up_url)
        try:
            built, caught_up = make_app(built_engine), make_app(caught_up_engine)
            people = build(built, 4, datetime(2026, 11, 1, tzinfo=BERLIN))
            archive.import_lines(caught_up, archive.export_lines(built, None))

            views = snapshot(built_engine)
            assert len(views["v_actions"]) == 4 * 50
            assert views == snapshot(caught_up_engine)
            for user_id in people:
                lines = progress(built, user_id)
                assert len(lines) == 3
                assert lines == progress(caught_up, user_id)
        finally:
            built_engine.dispose()
            caught_up_engine.dispose()
