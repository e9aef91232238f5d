"""The dependency rule of DESIGN.md §2, checked on the source: a layer imports only what it may."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src" / "netgoals"
ALLOWED = {
    "domain": {"domain"},
    "integrations": {"domain", "integrations", "config"},
    "service": {"domain", "integrations", "service", "config"},
    "worker": {"service", "worker", "config"},
    "api": {"service", "api", "config"},
    "cli": {"service", "cli", "config"},
}


def _imports(path: Path) -> set[str]:
    """The netgoals layers a module imports (its first name after `netgoals.`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "netgoals" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_what_design_allows(layer: str) -> None:
    modules = sorted((SOURCE / layer).rglob("*.py"))
    assert modules or layer == "worker", f"no modules in {layer}/"
    crossings = {
        f"{path.relative_to(SOURCE)} imports {', '.join(sorted(bad))}"
        for path in modules
        if (bad := _imports(path) - ALLOWED[layer])
    }
    assert not crossings, crossings
