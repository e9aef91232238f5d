"""A plain `pip install -e .` (the README's run command, no test extras) has every module the
service imports: our own packages, and what Celery, beat and the API load at start-up.

The test suite's environment also holds the test extras and their dependencies, which once hid an
undeclared import (kombu's Redis transport needs `packaging`, which pytest brought in). So a fresh
interpreter imports the service's modules with every distribution outside the closure of
`pyproject.toml`'s `dependencies` made impossible to import, as if it were not installed.
"""

from __future__ import annotations

import importlib.metadata as metadata
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.unit.test_layers import LAYERS

ROOT = Path(__file__).resolve().parents[2]
# What the serve children import by name at start-up, beyond our own modules' imports: the
# broker transport and the worker pool Celery picks from its settings, the beat scheduler named
# on its command line, the API's server.
LOADED_BY_NAME = (
    "kombu.transport.redis",
    "celery.concurrency.prefork",
    "celery.concurrency.thread",
    "celery.apps.worker",
    "celery.apps.beat",
    "redbeat.schedulers",
    "uvicorn.main",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.lifespan.on",
)
# Alembic runs these as scripts inside a migration (alembic and SQLAlchemy are imported anyway).
SKIPPED = ("integrations.storage.migrations.env", "integrations.storage.migrations.versions.")

# Run in the fresh interpreter: refuse the given top-level modules, then import everything.
_IMPORT_ALL = """
import importlib, importlib.abc, json, pkgutil, sys

blocked, packages, by_name, skipped = json.loads(sys.argv[1])

class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r} (not a declared dependency)", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
names = list(by_name)
for package in packages:
    module = importlib.import_module(package)
    found = pkgutil.walk_packages(module.__path__, package + ".")
    names += [info.name for info in found if not info.name.startswith(tuple(skipped))]
for name in names:
    importlib.import_module(name)
print(len(names))
"""


def _closure(requirements: list[str]) -> set[str]:
    """Every distribution these requirements install here, with the extras they ask for."""
    found: set[str] = set()
    pending = [(Requirement(text), "") for text in requirements]
    while pending:
        requirement, extra = pending.pop()
        marker = requirement.marker
        if marker is not None and not marker.evaluate({"extra": extra}):  # and this interpreter
            continue
        name = canonicalize_name(requirement.name)
        extras = sorted(requirement.extras)
        key = f"{name}[{','.join(extras)}]"
        if key in found:
            continue
        found.add(key)
        for text in metadata.distribution(name).requires or ():
            pending += [(Requirement(text), wanted) for wanted in ("", *extras)]
    return {key.partition("[")[0] for key in found}


def _not_installed_by_a_plain_install(declared: set[str]) -> list[str]:
    """Top-level modules that only distributions outside `declared` provide."""
    blocked = []
    for module, distributions in metadata.packages_distributions().items():
        if module in LAYERS or module in sys.stdlib_module_names:
            continue
        if not {canonicalize_name(d) for d in distributions} & declared:
            blocked.append(module)
    return sorted(blocked)


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return _closure(project["dependencies"])


def test_the_test_extras_are_outside_a_plain_install() -> None:
    """The check below only means something if it does block what the tests bring in."""
    blocked = _not_installed_by_a_plain_install(_declared())
    assert {"pytest", "hypothesis", "schemathesis", "playwright"} <= set(blocked)
    assert not {"celery", "kombu", "redis", "sqlalchemy", "fastapi", "google"} & set(blocked)


def test_a_plain_install_imports_every_module_the_service_loads() -> None:
    blocked = _not_installed_by_a_plain_install(_declared())
    argument = json.dumps([blocked, LAYERS, LOADED_BY_NAME, SKIPPED])
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL, argument],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout) > 100  # every module of ours was imported, not just the packages
