"""The third-party readers both readback suites drive (the iCal feed's and the CalDAV blocks'):
running vdirsyncer and khal from this environment, and khal's configuration for one folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def run(*args: str | Path, cwd: Path) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def khal_config(tmp: Path, name: str, folder: Path) -> Path:
    """A khal.conf reading `folder` as calendar `name`, in Berlin, with its database under `tmp`."""
    khal = tmp / "khal.conf"
    khal.write_text(
        f"""[calendars]
[[{name}]]
path = {folder}/
type = calendar

[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
default_timezone = Europe/Berlin
local_timezone = Europe/Berlin

[sqlite]
path = {tmp / "khal.db"}
"""
    )
    return khal
