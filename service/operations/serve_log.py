"""Where `netgoals serve`'s children (uvicorn, the Celery worker, beat) write: one size-capped file in
NETGOALS_HOME/logs, so the console stays for people; `--verbose` copies every line to the console
too, and `--log-format json` writes each line as one JSON object for operators' log collectors.

Serve reads each child's output through a pipe, one line at a time (a line longer than
`MAX_LINE_BYTES` is cut there), and hands it to the standard library's rotating file handler.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Literal

LOG_FOLDER = "logs"
LOG_FILE = "serve.log"
MAX_BYTES = 5 * 1024 * 1024  # per file; with BACKUPS old files at most 20 MB in all
BACKUPS = 3
MAX_LINE_BYTES = 16 * 1024

LogFormat = Literal["text", "json"]


def log_path(home: Path) -> Path:
    return home / LOG_FOLDER / LOG_FILE


class _Text(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%d %H:%M:%S")
        return f"{when} {record.name:<6} | {record.getMessage()}"


class _Json(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = record.getMessage()
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "process": record.name,
        }
        try:  # the worker's task lines are JSON already: keep their fields, not a quoted string
            parsed = json.loads(line)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            entry["event"] = parsed
        else:
            entry["message"] = line
        return json.dumps(entry, ensure_ascii=False)


class ChildLog:
    """The sink of every child's lines: the file always, the console with `verbose`."""

    def __init__(self, home: Path, log_format: LogFormat = "text", *, verbose: bool = False) -> None:
        self.path = log_path(home)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        formatter = _Json() if log_format == "json" else _Text()
        file_handler = logging.handlers.RotatingFileHandler(
            self.path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
        self.handlers: list[logging.Handler] = [file_handler]
        if verbose:
            self.handlers.append(logging.StreamHandler(sys.stderr))
        for handler in self.handlers:
            handler.setFormatter(formatter)

    def line(self, process: str, text: str) -> None:
        record = logging.LogRecord(process, logging.INFO, "", 0, text, None, None)
        for handler in self.handlers:
            handler.handle(record)  # takes the handler's lock: lines of two children never mix

    def follow(self, process: str, stream: IO[bytes]) -> threading.Thread:
        """Copy a child's output here until it ends (a daemon thread: it never holds serve up)."""

        def pump() -> None:
            with stream:
                while chunk := stream.readline(MAX_LINE_BYTES):
                    self.line(process, chunk.decode("utf-8", "replace").rstrip("\r\n"))

        thread = threading.Thread(target=pump, name=f"netgoals-log-{process}", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        for handler in self.handlers:
            handler.close()
