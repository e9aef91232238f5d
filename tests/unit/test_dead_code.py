"""No dead code: vulture, configured in pyproject.toml ([tool.vulture]), finds no function, class,
constant or attribute that nothing uses. Names only a framework or a template uses are listed in
tests/vulture_whitelist.py; anything else it finds is removed, not whitelisted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_vulture_finds_no_dead_code() -> None:
    found = subprocess.run(
        [sys.executable, "-m", "vulture"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert found.returncode == 0 and not found.stdout, f"dead code (remove it):\n{found.stdout}{found.stderr}"
