"""NETGOALS_HOME/settings.toml: the one configuration the CLI and the running service both read.

Keys are the settings' names (`google_client_id`, `smtp_host`, `public_url`, …); the environment
(NETGOALS_*) still wins over the file, and the file over the defaults. `netgoals config set` writes
it, readable by its owner only (it may hold secrets: the Google client secret, the SMTP password);
a copy that became readable by others is tightened when read, as the embedded store's files are.
"""

from __future__ import annotations

import os
import stat
import tomllib
from contextlib import suppress
from pathlib import Path
from typing import Any

from service.env_settings import SettingsError

SETTINGS_FILE = "settings.toml"
NOT_STORED = frozenset({"home"})  # the file lives in home: it cannot say where home is


def path_in(home: Path) -> Path:
    return home / SETTINGS_FILE


def key_of(name: str) -> str:
    """A setting's name as the file keeps it: `NETGOALS_SMTP_HOST` or `smtp-host` → `smtp_host`."""
    key = name.strip().lower().replace("-", "_")
    return key.removeprefix("netgoals_")


def read(home: Path, known: frozenset[str] | None) -> dict[str, Any]:
    """The stored settings; SettingsError naming the file and the key for anything unusable
    (`known` None: every key as it is, for rewriting a file that names one no longer known)."""
    path = path_in(home)
    try:
        with path.open("rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                with suppress(OSError):  # not ours to change (another owner): still readable
                    os.fchmod(handle.fileno(), 0o600)  # it may hold secrets
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise SettingsError(f"cannot read {path}: {exc.strerror or exc}") from None
    for key, value in data.items():
        if known is None:
            continue
        if key in NOT_STORED or key not in known:
            raise SettingsError(f"{path}: unknown setting {key!r} (`netgoals config show` lists them)")
        if isinstance(value, dict | list):
            raise SettingsError(f"{path}: setting {key!r} must be one value, not a table or a list")
    return data


def write(home: Path, key: str, value: str | None, known: frozenset[str]) -> Path:
    """Set (or with None remove) one key, keeping the others; the file stays 0600."""
    import tomli_w

    from service.operations.served import write_private

    if key in NOT_STORED or (value is not None and key not in known):
        raise SettingsError(f"unknown setting {key!r} (`netgoals config show --all` lists them)")
    data = read(home, None)
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value
    path = path_in(home)
    write_private(path, tomli_w.dumps(dict(sorted(data.items()))))
    return path
