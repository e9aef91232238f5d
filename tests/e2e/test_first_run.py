"""A person on a laptop runs `netgoals api` for the first time: they get a way to sign in."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.api.live import live_server


def _token(log: str) -> str | None:
    found = re.search(r"Sign in as local with token (\S+)", log)
    return found.group(1) if found else None


def test_the_first_run_makes_the_local_account_and_shows_its_token_once(tmp_path: Path) -> None:
    with live_server(tmp_path) as server:
        log = (tmp_path / "server.log").read_text()
        token = _token(log)
        assert token is not None, log
        me = httpx.get(f"{server.base_url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert me.json()["handle"] == "local"
    (tmp_path / "server.log").unlink()
    with live_server(tmp_path) as server:
        log = (tmp_path / "server.log").read_text()
        assert _token(log) is None  # shown once: the second start only says how to get a new one
        assert "netgoals user token rotate local" in log
        me = httpx.get(f"{server.base_url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
