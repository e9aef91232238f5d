"""How long the `netgoals` command takes to answer, against bare `python -c pass` in the same run.

Targets: `netgoals --help` and `netgoals --version` <= 0.15 s, `netgoals progress` on a small store
(one user, three goals, twenty actions) <= 0.35 s. Every command is a new process, as a person or a
shell completion runs it; the runs are interleaved so machine noise hits all alike (medians).
Run: .venv/bin/python -m bench.cli_start [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"--help": 0.15, "--version": 0.15, "progress": 0.35}


def _netgoals() -> list[str]:
    installed = shutil.which("netgoals", path=str(Path(sys.executable).parent))
    return [installed] if installed else [sys.executable, "-m", "cli.main"]


def _environment(home: Path) -> dict[str, str]:
    # As installed for a person: .pyc files are written once and reused (a sandbox may forbid them).
    unset = ("PYTHONDONTWRITEBYTECODE",)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETGOALS_") and k not in unset}
    return env | {"NETGOALS_HOME": str(home), "NETGOALS_NOW": "2026-11-28T10:00:00+01:00"}


def small_store(home: Path) -> None:
    env = _environment(home)
    steps = [
        ["init", "--timezone", "Europe/Berlin"],
        ["goal", "add", "--template", "monthly-event"],
        ["goal", "add", "--template", "weekly-outreach"],
        ["goal", "add", "--title", "Follow up", "--action", "follow-up", "--target", "3", "--frame", "month"],
    ]
    steps += [["log", "attend-event" if i % 2 else "follow-up", f"Meetup {i}", "--at", "2026-11-2"
               f"{i % 8}"] for i in range(20)]  # fmt: skip
    for step in steps:
        subprocess.run([*_netgoals(), *step], env=env, check=True, capture_output=True)


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        small_store(home)
        env = _environment(home)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            **{f"netgoals {name}": [*_netgoals(), name] for name in TARGETS},
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for command in commands.values():  # warm the file cache and .pyc files first
            timed(command, env)
        for _ in range(args.runs):
            for name, command in commands.items():
                wall, used = timed(command, env)
                times[name].append(wall)
                cpu[name].append(used)
    base = statistics.median(times["python -c pass"])
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores, {args.runs} runs each")
    print(
        f"{'command':<20} {'median s':>9} {'p90 s':>7} {'over python s':>14} {'cpu s':>6}"
        f" {'target s':>9} {'met':>4}"
    )
    for name, found in times.items():
        median = statistics.median(found)
        p90 = statistics.quantiles(found, n=10)[-1] if len(found) > 1 else median
        target = TARGETS.get(name.removeprefix("netgoals "))
        verdict = "" if target is None else ("yes" if median <= target else "NO")
        shown = f"{target:.2f}" if target else ""
        print(
            f"{name:<20} {median:>9.3f} {p90:>7.3f} {median - base:>14.3f}"
            f" {statistics.median(cpu[name]):>6.3f} {shown:>9} {verdict:>4}"
        )


if __name__ == "__main__":
    main()
