"""The documentation site builds with --strict (a broken link or anchor fails), its reference pages
are generated from the code, and the docs and README cite nothing outside the repository."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GENERATED = {"reference/cli.md", "reference/rest.md", "reference/settings.md"}  # docs/hooks/reference.py


def test_the_site_builds_strictly_with_generated_reference_pages(tmp_path: Path) -> None:
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    cli = (site / "reference" / "cli" / "index.html").read_text()
    assert "netgoals log" in cli and "netgoals goal add" in cli and "--timezone" in cli
    rest = (site / "reference" / "rest" / "index.html").read_text()
    assert "/api/v1/actions" in rest and "/feeds/{token}.ics" in rest
    settings = (site / "reference" / "settings" / "index.html").read_text()
    assert "NETGOALS_DATABASE_URL" in settings and "NETGOALS_PUBLIC_URL" in settings


def test_docs_and_readme_name_only_what_exists() -> None:
    texts = {p: p.read_text() for p in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]}
    problems = []
    for path, text in texts.items():
        if "DESIGN" + ".md" in text:
            problems.append(f"{path.name} cites the team note, which is not in the repository")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target or target in GENERATED:
                continue
            if not (path.parent / target).exists():
                problems.append(f"{path.name} links to {target}, which does not exist")
    assert problems == []


def test_no_code_cites_a_document_outside_the_repository() -> None:
    layers = ("domain", "integrations", "service", "worker", "api", "cli", "tests", "bench")
    sources = [p for layer in layers for p in (ROOT / layer).rglob("*.py")]
    sources += [ROOT / "pyproject.toml", ROOT / "compose.yaml", ROOT / "Dockerfile"]
    needle = "DESIGN" + ".md"  # split, so this file does not cite it either
    assert [str(p.relative_to(ROOT)) for p in sources if needle in p.read_text()] == []
