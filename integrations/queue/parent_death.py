"""Child processes that end with their parent.

`netgoals serve` stops its children in order on Ctrl-C, SIGTERM and SIGHUP. A SIGKILL (`kill -9`,
the OOM killer) gives it no chance: its API, worker, beat and embedded Redis would run on without
it, holding the port and the socket, and the next `serve` would fail to start. On Linux the kernel
can send each child SIGTERM when its parent dies (`prctl(PR_SET_PDEATHSIG)`), set in the child
between fork and exec; elsewhere there is nothing to set. The kernel watches the thread that
started the child, so start it from one that lives as long as the child should (serve's main
thread does).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def end_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` for `subprocess.Popen` (None where the kernel has no such signal). libc is
    loaded here, before the fork, so the child only makes two system calls before its exec."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def tie_to_parent() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))
        if os.getppid() != parent:  # the parent died before the tie was made
            os._exit(1)

    return tie_to_parent
