"""What the running server told the rest of netgoals: where it is reached and what it was started
with, in NETGOALS_HOME/served.toml, written by `netgoals serve` and `netgoals api` at start.

A CLI in another terminal, a worker started on its own, and every link netgoals hands out then
agree with the server: without NETGOALS_PUBLIC_URL (or `public_url` in settings.toml) the public URL
is the address the server was started on, not the default port. Commands that hand work to the
service read what it was configured with, so they never promise what it cannot do.
"""

from __future__ import annotations

import os
import tomllib
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # settings import this module lazily; the type only is needed here
    from service.settings import Settings

SERVED_FILE = "served.toml"


def public_url_for(host: str, port: int) -> str:
    """The address a browser on this machine reaches a server listening on host:port at."""
    if host in ("0.0.0.0", "", "::"):  # noqa: S104 - every interface: this machine reaches it on loopback
        host = "127.0.0.1"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


@dataclass(frozen=True, slots=True)
class Served:
    public_url: str
    pid: int
    google: bool  # the server's settings have a Google client
    smtp: bool  # ... and an SMTP server
    private_sources: bool = False  # ... and may read calendars on private addresses

    @property
    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def read(home: Path) -> Served | None:
    """What the last server started on this home wrote (None: none, or an unreadable file)."""
    try:
        with (home / SERVED_FILE).open("rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
        return Served(
            str(data["public_url"]),
            int(data["pid"]),
            bool(data["google"]),
            bool(data["smtp"]),
            bool(data.get("private_sources", False)),
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError):
        return None


def record(home: Path, public_url: str, *, google: bool, smtp: bool, private_sources: bool = False) -> None:
    """Write what this server is (its own process id), owner-only, replacing the file at once."""
    import tomli_w

    facts = {"google": google, "smtp": smtp, "private_sources": private_sources}
    text = tomli_w.dumps({"public_url": public_url, "pid": os.getpid(), **facts})
    write_private(home / SERVED_FILE, text)


def write_private(path: Path, text: str) -> None:
    """Replace a file atomically with one readable by its owner only (0600 from its creation)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def public_url(settings: Settings, host: str, port: int) -> str:
    """The public URL a server started on host:port uses: the configured one (environment, argument
    or settings.toml), else its own address — never what an earlier server recorded."""
    source = settings.source_of("public_url")
    if source == "default" or source.endswith(SERVED_FILE):
        return public_url_for(host, port)
    return settings.public_url


def start(settings: Settings, host: str, port: int) -> str:
    """Record this server (best effort: a read-only home only loses the hint) and return its URL."""
    url = public_url(settings, host, port)
    with suppress(OSError):
        record(
            settings.home,
            url,
            google=settings.google_configured,
            smtp=settings.smtp_configured,
            private_sources=settings.allow_private_sources,
        )
    return url


def configured_lines(settings: Settings, url: str) -> list[str]:
    """What `serve` says at start: what the service can do with the settings it has."""
    how = "netgoals config set KEY VALUE (or NETGOALS_KEY in serve's environment)"
    google = (
        "Google Calendar: configured"
        if settings.google_configured
        else f"Google Calendar: not configured (google_client_id, google_client_secret: {how})"
    )
    smtp = (
        f"Email updates: configured (SMTP {settings.smtp_host}:{settings.smtp_port})"
        if settings.smtp_configured
        else f"Email updates: not configured (smtp_host: {how})"
    )
    return [google, smtp, f"Public URL: {url} (links in feeds, emails and Google Calendar)"]


_NEEDS = {
    "google": ("Google Calendar", "google_client_id and google_client_secret"),
    "smtp": ("email updates", "smtp_host (and smtp_username, smtp_password if the server asks)"),
    "private_sources": ("calendars on private or loopback addresses", "allow_private_sources true"),
}


def missing_in_service(settings: Settings, what: str) -> str | None:
    """Why the running server cannot do `what` ("google", "smtp") although this command could —
    settings exported in this shell only — or None when it can (or no server runs here)."""
    running = read(settings.home)
    if running is None or not running.alive or getattr(running, what):
        return None
    name, keys = _NEEDS[what]
    return (
        f"the running netgoals service (pid {running.pid}) has no settings for {name}, so it could not "
        f"do this work: store {keys} with `netgoals config set KEY VALUE` (the service does not see "
        "this shell's environment), then restart `netgoals serve`"
    )
