"""serve's restart policy with real (short-lived) processes and a clock the test moves: a child
that keeps dying young waits longer each time, up to a minute, and never takes the others down."""

from __future__ import annotations

import sys
from pathlib import Path

from service.operations.supervise import MAX_DELAY, Supervisor, read_state

DIES = [sys.executable, "-c", "raise SystemExit(3)"]
LIVES = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_a_child_dying_young_waits_longer_each_time_up_to_a_minute(tmp_path: Path) -> None:
    now = [1000.0]
    said: list[str] = []
    supervisor = Supervisor({"bad": DIES, "good": LIVES}, {}, tmp_path, said.append, clock=lambda: now[0])
    for name in supervisor.commands:
        supervisor.start(name)
    good = supervisor.children["good"].pid
    waits: list[float] = []
    try:
        for _ in range(9):
            supervisor.children["bad"].wait(10)
            supervisor.check()  # notices the exit
            state = supervisor.states["bad"]
            assert state.next_start_at is not None and state.pid is None
            waits.append(state.next_start_at - now[0])
            now[0] = state.next_start_at - 0.01
            supervisor.check()  # not yet
            assert supervisor.states["bad"].next_start_at is not None
            now[0] += 0.01
            supervisor.check()  # started again
            assert supervisor.states["bad"].pid is not None
        assert waits == [1, 2, 4, 8, 16, 32, MAX_DELAY, MAX_DELAY, MAX_DELAY]
        assert supervisor.children["good"].pid == good and supervisor.children["good"].poll() is None
        found = read_state(tmp_path)
        assert found is not None and found.children["bad"].restarts == 9
        assert found.children["bad"].last_exit == "exit code 3"
        assert sum("the bad process exited (exit code 3)" in line for line in said) == 9
        # A child that ran a while before it died starts again after one second.
        supervisor.children["bad"].wait(10)
        now[0] += 3600
        supervisor.states["bad"].started_at = now[0] - 120
        supervisor.check()
        assert supervisor.states["bad"].next_start_at == now[0] + 1
    finally:
        supervisor.stop(("good", "bad"), grace=5)
    assert read_state(tmp_path) is None, "a stopped serve leaves no state behind"
