"""service/bootstrap.py is the one composition root: the API, the workers and the CLI get their App
from it (one engine per process and settings), the vault is opened once, and no other module of the
service makes an engine or opens the vault."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.app import create_app
from cli.common import opened
from service import bootstrap
from service.app import App
from service.caldav.context import CalDAV
from service.settings import Settings
from service.tracking.confirm_links import Links
from service.updates.context import Updates
from worker import context as worker_context

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("api", "cli", "domain", "integrations", "service", "worker")
# name -> the modules allowed to call it: the root, and the function's own definition
BUILDERS = {
    "make_engine": {"service/bootstrap.py", "integrations/storage/database.py"},
    "open_vault": {"service/bootstrap.py", "service/access/keys.py"},
    "Vault": {"service/access/keys.py", "integrations/storage/secrets.py"},
}


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("NETGOALS_HOME", str(tmp_path))
    return Settings()


def test_the_api_the_worker_and_the_cli_share_one_app_per_process(settings: Settings) -> None:
    web = create_app(settings)
    app: App = web.state.netgoals
    assert bootstrap.world(settings).app is app
    assert App.open(Settings()) is app  # equal settings, read again: the same world
    assert worker_context.jobs().app is app
    assert web.state.jobs is bootstrap.world().jobs
    with opened() as (cli_app, _settings):
        assert cli_app is app
    assert cli_app.engine is app.engine


def test_the_vault_is_opened_once_for_every_context(settings: Settings) -> None:
    world = bootstrap.world(settings)
    assert Updates.open(settings).vault is world.vault
    assert CalDAV.open(settings).vault is world.vault
    assert Links.open(settings) is Links.open(settings) is world.links
    assert world.links is not None


def test_other_settings_make_another_world_with_its_own_engine(settings: Settings, tmp_path: Path) -> None:
    first = App.open(settings)
    other = App.open(Settings(home=tmp_path / "other"))
    assert other.engine is not first.engine
    assert App.open(Settings(home=tmp_path / "other")) is other


def test_no_module_but_the_root_makes_an_engine_or_opens_the_vault() -> None:
    wrong = []
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            text = path.read_text(encoding="utf-8")
            for builder, allowed in BUILDERS.items():
                if name not in allowed and re.search(rf"\b{builder}\(", text):
                    wrong.append(f"{name} calls {builder}")
    assert not wrong, f"only service/bootstrap.py builds the world: {wrong}"


def test_a_worker_process_has_a_connection_for_each_of_its_threads() -> None:
    """NETGOALS_WORKER_THREADS tasks at once, each holding a connection or two (a unit's read and a
    write): the pool keeps at least one per thread and lets as many again open in a burst."""
    url = "postgresql+psycopg://db/netgoals"
    assert bootstrap.pool_options(Settings(), url) == {"pool_size": 8, "max_overflow": 8}
    many = Settings(worker_threads=20, db_pool_size=8)
    assert bootstrap.pool_options(many, url) == {"pool_size": 20, "max_overflow": 20}
    assert bootstrap.pool_options(many, "sqlite:///netgoals.db") == {}


def test_the_worker_runs_as_many_threads_as_the_setting_says() -> None:
    """`celery -A worker.app worker` (serve's child, compose's service) takes its concurrency from
    NETGOALS_WORKER_THREADS unless --concurrency says otherwise."""
    from service.operations.jobs import celery_app

    redis_url = "redis://127.0.0.1:9/0"
    assert celery_app(Settings(redis_url=redis_url)).conf.worker_concurrency == 4
    assert celery_app(Settings(redis_url=redis_url, worker_threads=7)).conf.worker_concurrency == 7
