"""References resolve: a comment or a doc citing "invariant N" names one of the invariants numbered
in docs/architecture.md; nothing cites a design document that is not in the repository, or a "§"
of one; and every repository path named in code or docs exists (with `::name`, so does the name)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {
    ".git",
    ".venv",
    "node_modules",
    ".hypothesis",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "site",
}
TOP = ("domain", "service", "integrations", "api", "cli", "worker", "tests", "docs", "bench")

_CITED = re.compile(r"\b[Ii]nvariants? (\d+(?:(?:-|–|, | and )\d+)*)")
_LISTED = re.compile(r"^(\d+)\. \*\*", re.MULTILINE)
_PATH = re.compile(r"(?<![\w./-])((?:" + "|".join(TOP) + r")/[\w.*/-]*[\w*])(?:::(\w+))?")
_SECTION = re.compile(r"(\S+ \S+ )?§\s*\d")
_MISSING_DOC = "DESIGN" + ".md"  # spelt apart so this file does not cite it


def _files() -> Iterator[Path]:
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if (
            path.suffix in (".py", ".md")
            and path.is_file()
            and not parts & SKIPPED
            and ".egg-info" not in str(path)
        ):
            yield path


def _numbers(cited: str) -> set[int]:
    found: set[int] = set()
    for part in re.split(r", | and ", cited):
        first, _, last = part.replace("–", "-").partition("-")
        found |= set(range(int(first), int(last or first) + 1))
    return found


def _invariants() -> set[int]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("## The log and its invariants", 1)[1].split("\n### ", 1)[0]
    return {int(n) for n in _LISTED.findall(section)}


def _where(path: Path, text: str, index: int) -> str:
    return f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, index) + 1}"


def test_every_cited_invariant_is_numbered_in_the_architecture_page() -> None:
    defined = _invariants()
    assert {1, 8, 11} <= defined  # the list was found at all
    wrong = [
        f"{_where(path, text, m.start())}: {m.group(0)}"
        for path in _files()
        for text in [path.read_text(errors="replace")]
        for m in _CITED.finditer(text)
        if not _numbers(m.group(1)) <= defined
    ]
    assert not wrong, f"cite an invariant docs/architecture.md numbers: {wrong}"


def test_nothing_cites_a_design_document_that_is_not_here_or_a_section_of_one() -> None:
    wrong = []
    for path in _files():
        if path == Path(__file__):
            continue
        text = path.read_text(errors="replace")
        if _MISSING_DOC in text:
            wrong.append(f"{path.relative_to(ROOT)}: cites {_MISSING_DOC}")
        for m in _SECTION.finditer(text):  # a standard's or an issue's section is fine: "RFC 9110 §13"
            if not re.search(r"(RFC \d+|issue \d+) $", m.group(1) or ""):
                wrong.append(f"{_where(path, text, m.start())}: {m.group(0)}")
    assert not wrong, f"point at docs/architecture.md or the code instead: {wrong}"


def _exists(reference: str) -> bool:
    if "*" in reference:
        return any(ROOT.glob(reference))
    target = ROOT / reference
    return target.exists() or target.with_name(target.name + ".py").exists()  # a module by its name


def test_every_repository_path_named_in_code_and_docs_exists() -> None:
    wrong = []
    for path in _files():
        text = path.read_text(errors="replace")
        for m in _PATH.finditer(text):
            reference, name = m.group(1).rstrip("."), m.group(2)
            if not _exists(reference):
                wrong.append(f"{_where(path, text, m.start())}: {reference}")
            elif (
                name
                and reference.endswith(".py")
                and not re.search(rf"\bdef {name}\b", (ROOT / reference).read_text())
            ):
                wrong.append(f"{_where(path, text, m.start())}: {reference}::{name}")
    assert not wrong, f"these paths do not exist: {wrong}"
