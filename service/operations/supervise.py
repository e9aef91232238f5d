"""`netgoals serve`'s children kept running: a child that exits is started again after a pause
that doubles while it keeps dying young (1 s, 2 s, 4 s … at most `MAX_DELAY`), so a crash loop
costs at most one start a minute; the others are never stopped for it. Each restart is said in
serve's log and kept in a small state file in NETGOALS_HOME that `netgoals status` reads.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from service.operations.serve_log import ChildLog

MAX_DELAY = 60.0
STEADY_SECONDS = 60.0  # a child that ran this long starts again at once (after 1 s)
STATE_FILE = "serve-state.json"


def restart_delay(quick_exits: int) -> float:
    """Seconds to wait before the next start after `quick_exits` exits in a row of a young child."""
    return min(MAX_DELAY, 2.0 ** max(0, quick_exits - 1))


def describe_exit(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"


@dataclass(slots=True)
class ChildState:
    pid: int | None = None
    started_at: float | None = None
    restarts: int = 0
    quick_exits: int = 0
    last_exit: str | None = None
    last_exit_at: float | None = None
    next_start_at: float | None = None  # set while waiting to start it again


@dataclass(frozen=True, slots=True)
class ServeState:
    """What a running serve wrote about its children (None fields: never happened)."""

    pid: int
    children: dict[str, ChildState]


class Supervisor:
    def __init__(
        self,
        commands: Mapping[str, list[str]],
        env: Mapping[str, str],
        home: Path,
        say: Callable[[str], None],
        preexec: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.time,
        log: ChildLog | None = None,
    ) -> None:
        self.commands = dict(commands)
        self.env = dict(env)
        self.path = home / STATE_FILE
        self.say = say
        self.preexec = preexec
        self.clock = clock
        self.log = log  # None: the children write to serve's own stdout and stderr
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.states = {name: ChildState() for name in self.commands}

    def start(self, name: str) -> None:
        # Own process groups: Ctrl-C reaches serve alone, and serve stops the children in order.
        self.children[name] = subprocess.Popen(  # noqa: S603 - our own commands
            self.commands[name],
            env=self.env,
            start_new_session=True,
            preexec_fn=self.preexec,  # runs in the child before exec: two system calls
            stdout=subprocess.PIPE if self.log else None,
            stderr=subprocess.STDOUT if self.log else None,
        )
        output = self.children[name].stdout
        if self.log is not None and output is not None:
            self.log.follow(name, output)
        state = self.states[name]
        state.pid, state.started_at, state.next_start_at = self.children[name].pid, self.clock(), None
        self._write()

    def check(self) -> None:
        """Notice children that exited and start those whose pause is over (call it often)."""
        now = self.clock()
        for name, state in self.states.items():
            child = self.children.get(name)
            if state.next_start_at is not None:
                if now >= state.next_start_at:
                    state.restarts += 1
                    self.say(f"starting the {name} process again (restart {state.restarts})")
                    self.start(name)
                continue
            if child is None or child.poll() is None:
                continue
            young = state.started_at is not None and now - state.started_at < STEADY_SECONDS
            state.quick_exits = state.quick_exits + 1 if young else 1
            delay = restart_delay(state.quick_exits)
            state.pid, state.last_exit, state.last_exit_at = None, describe_exit(child.returncode), now
            state.next_start_at = now + delay
            self.say(
                f"the {name} process exited ({state.last_exit}); the others keep running; "
                f"starting it again in {delay:.0f} s"
            )
            self._write()

    def stop(self, order: tuple[str, ...], grace: float) -> None:
        for name in order:
            child = self.children.get(name)
            if child is None or child.poll() is not None:
                continue
            child.send_signal(signal.SIGTERM)  # celery: warm shutdown; uvicorn: graceful
            try:
                child.wait(grace)
            except subprocess.TimeoutExpired:
                child.kill()  # its task is redelivered or swept up again: nothing is lost
                child.wait()
        with contextlib.suppress(OSError):
            self.path.unlink()

    def _write(self) -> None:
        state = {"pid": os.getpid(), "children": {n: asdict(s) for n, s in self.states.items()}}
        part = self.path.with_suffix(".part")
        part.write_text(json.dumps(state))
        part.replace(self.path)  # readers never see half a file


def read_state(home: Path) -> ServeState | None:
    """The state of the serve running for `home`, or None when none runs (or it left no file)."""
    try:
        raw: dict[str, Any] = json.loads((home / STATE_FILE).read_text())
        pid = int(raw["pid"])
        os.kill(pid, 0)  # a file left by a serve that was killed says nothing
        children = {name: ChildState(**fields) for name, fields in raw["children"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return ServeState(pid, children)
