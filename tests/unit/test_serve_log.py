"""Where serve's children write (service/operations/serve_log.py): a file that never grows past its cap, lines
that never grow past theirs, and JSON an operator's collector can read line by line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from service.operations import serve_log
from service.operations.serve_log import ChildLog


def _feed(log: ChildLog, process: str, data: bytes) -> None:
    """A child's output through a real pipe, read by the thread serve uses, to its end."""
    read, write = os.pipe()
    thread = log.follow(process, os.fdopen(read, "rb"))
    with os.fdopen(write, "wb") as writer:
        writer.write(data)
    thread.join(10)
    assert not thread.is_alive()


def test_a_flood_of_output_stays_within_the_files_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serve_log, "MAX_BYTES", 4096)
    monkeypatch.setattr(serve_log, "MAX_LINE_BYTES", 256)
    log = ChildLog(tmp_path)
    endless_line = b"x" * 100_000  # no newline at all: cut into pieces, never held whole
    _feed(log, "worker", b"".join(b"line %d\n" % n for n in range(2000)) + endless_line)
    log.close()
    files = sorted((tmp_path / "logs").iterdir())
    backups = [f"serve.log.{n}" for n in range(1, serve_log.BACKUPS + 1)]
    assert [f.name for f in files] == ["serve.log", *backups]
    assert all(f.stat().st_size <= 4096 + 400 for f in files)  # one record may tip a file over
    lines = (tmp_path / "logs" / "serve.log").read_text().splitlines()
    assert lines[-1].endswith("| " + "x" * (100_000 % 256 or 256))
    assert all(len(line) < 256 + 40 for line in lines)


def test_json_lines_keep_the_workers_own_json_as_fields(tmp_path: Path) -> None:
    log = ChildLog(tmp_path, "json")
    task_line = json.dumps({"task": "netgoals.sweep", "outcome": "ok"})
    _feed(log, "worker", f"plain words\n{task_line}\n[1, 2]\n".encode())
    log.line("serve", "the worker process exited (exit code 1)")
    log.close()
    records = [json.loads(x) for x in (tmp_path / "logs" / "serve.log").read_text().splitlines()]
    assert [(r["process"], r.get("message"), r.get("event")) for r in records] == [
        ("worker", "plain words", None),
        ("worker", None, {"task": "netgoals.sweep", "outcome": "ok"}),
        ("worker", "[1, 2]", None),
        ("serve", "the worker process exited (exit code 1)", None),
    ]
    assert all(r["time"].endswith("+00:00") for r in records)
