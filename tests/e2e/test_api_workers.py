"""End to end: `netgoals api --workers 2` on PostgreSQL — two processes behind one port, both
serving, each write seen by the other."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from tests.api.live import live_server


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _serving(pid: int) -> bool:
    """A uvicorn worker: a spawned child (not multiprocessing's resource tracker)."""
    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    return b"multiprocessing" in command and b"resource_tracker" not in command


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_two_api_processes_share_the_port_and_the_store(tmp_path: Path, postgres_url: str) -> None:
    env = {"NETGOALS_DATABASE_URL": postgres_url, "NETGOALS_SECRET_KEY": Fernet.generate_key().decode()}
    env["NETGOALS_DB_POOL_SIZE"] = "3"
    with live_server(tmp_path, env, ("--workers", "2")) as server:
        workers = [pid for pid in _children(server.process.pid) if _serving(pid)]
        assert len(workers) == 2, workers
        before = {pid: _cpu_ticks(pid) for pid in workers}
        user = server.add_user("ann@example.com")
        headers = {"Authorization": f"Bearer {user['token']}", "Connection": "close"}
        goal = httpx.post(
            f"{server.base_url}/api/v1/goals", json={"template": "monthly-event"}, headers=headers
        )
        assert goal.status_code == 201, goal.text

        def log_one(n: int) -> int:
            # A new connection each time, so the kernel hands them to whichever process accepts.
            body = {"action": "attend-event", "title": f"Meetup {n}"}
            return httpx.post(f"{server.base_url}/api/v1/actions", json=body, headers=headers).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(log_one, range(80)))
        assert statuses == [201] * 80
        used = {pid: _cpu_ticks(pid) - before[pid] for pid in workers}
        assert all(ticks > 0 for ticks in used.values()), used  # both processes served
        # Whichever process answers, it reads what the other wrote: one store, projected per user.
        for _ in range(6):
            progress = httpx.get(f"{server.base_url}/api/v1/progress", headers=headers).json()
            assert [p["done"] for p in progress] == [80]
