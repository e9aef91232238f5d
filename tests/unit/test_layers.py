"""The dependency rule of docs/architecture.md ("The rooms"), checked on the source: a layer imports
only what it may.

Every import is checked — absolute, relative (resolved against the module's package) and
third-party — so a domain module that reaches for SQLAlchemy, or a `from ..storage import x` inside
`integrations/google/`, fails here.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("domain", "integrations", "service", "worker", "api", "cli")
# Which first-party packages each room may import. Inside integrations/ each outside system is a
# room of its own: google/ and storage/ know nothing of each other (the service layer joins them).
ALLOWED = {
    "domain": {"domain"},
    "integrations": {"domain", "integrations"},
    "integrations.storage": {"domain", "integrations.storage"},
    "integrations.google": {"domain", "integrations.google"},
    "integrations.contact_files": {"domain", "integrations.contact_files"},
    "integrations.queue": {"domain", "integrations.queue"},
    "integrations.ical": {"domain", "integrations.ical", "integrations.outbound"},
    # CalDAV reads events with the iCal source reader and talks through the guarded client.
    "integrations.caldav": {"domain", "integrations.caldav", "integrations.ical", "integrations.outbound"},
    # Guarded outbound HTTP, shared by the calendar fetcher and the webhook sender.
    "integrations.outbound": {"domain", "integrations.outbound"},
    "service": {"domain", "integrations", "service"},
    "worker": {"service", "worker"},
    "api": {"service", "api"},
    "cli": {"service", "cli"},
}
FIRST_PARTY = {*LAYERS, "tests", "bench", "netgoals"}
# domain/ is plain Python: the standard library and dateutil only (zoneinfo is standard).
DOMAIN_THIRD_PARTY = {"dateutil"}


def _room(module: str) -> str:
    """The room a dotted module name belongs to: `integrations.google.oauth` -> `integrations.google`."""
    parts = module.split(".")
    if parts[0] == "integrations" and len(parts) > 1 and f"integrations.{parts[1]}" in ALLOWED:
        return f"integrations.{parts[1]}"
    return parts[0]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported_modules(name: str, is_package: bool, source: str) -> set[str]:
    """Every module a file imports, relative imports resolved to absolute names."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            else:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            # `from integrations import storage` imports integrations.storage: count the names too.
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _crossings(name: str, is_package: bool, source: str) -> set[str]:
    """The imports of module `name` (with this source) that its room may not make."""
    room = _room(name)
    allowed = ALLOWED[room]
    bad = set()
    for module in _imported_modules(name, is_package, source):
        top = module.split(".")[0]
        if top in FIRST_PARTY:
            target = _room(module)
            if not any(target == a or target.startswith(f"{a}.") for a in allowed):
                bad.add(module)
        elif room == "domain" and top not in sys.stdlib_module_names and top not in DOMAIN_THIRD_PARTY:
            bad.add(module)
    return bad


def _file_crossings(path: Path) -> set[str]:
    return _crossings(_module_name(path), path.name == "__init__.py", path.read_text())


def _modules(layer: str) -> list[Path]:
    return sorted((ROOT / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_imports_only_what_design_allows(layer: str) -> None:
    modules = _modules(layer)
    assert modules, f"no modules in {layer}/"
    crossings = {
        f"{path.relative_to(ROOT)} imports {', '.join(sorted(bad))}"
        for path in modules
        if (bad := _file_crossings(path))
    }
    assert not crossings, crossings


def test_integrations_hold_one_folder_per_outside_system() -> None:
    loose = [p.name for p in (ROOT / "integrations").glob("*.py") if p.name != "__init__.py"]
    assert not loose, f"modules outside a system's folder in integrations/: {loose}"


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("domain.x", "import sqlalchemy", {"sqlalchemy"}),
        ("domain.x", "from dateutil import tz\nimport zoneinfo\nfrom . import events", set()),
        ("domain.x", "from ..service import app", {"service", "service.app"}),
        (
            "integrations.google.x",
            "from ..storage import schema",
            {"integrations.storage", "integrations.storage.schema"},
        ),
        ("integrations.storage.x", "import integrations.google.oauth", {"integrations.google.oauth"}),
        ("integrations.storage.x", "from . import schema\nfrom domain import events", set()),
        (
            "api.x",
            "from integrations.storage import views",
            {"integrations.storage", "integrations.storage.views"},
        ),
        ("cli.x", "from service import goals\nfrom . import render", set()),
        ("service.google.x", "from integrations.google import oauth\nfrom ..app import App", set()),
        (
            "worker.x",
            "from tests.fakes import google_calendar",
            {"tests.fakes", "tests.fakes.google_calendar"},
        ),
    ],
)
def test_the_checker_reports_each_kind_of_crossing(module: str, source: str, expected: set[str]) -> None:
    assert _crossings(module, False, source) == expected
