"""The composition root: the one place that builds a process's world from Settings.

The API (`api/app.py`), the workers (`worker/context.py`) and the CLI (`cli/common.py`) get their
App here, and the contexts the use cases need besides it — Google, progress updates, CalDAV, the
iCalendar vault, the workers' queue and the confirmation links — come from the same world, built
at first use. Nothing else makes a database engine or opens the vault (`tests/unit/test_bootstrap.py`).

`world(settings)` is this process's world: built once per process (after a fork, never before it,
so no connection is shared between processes) and handed out again while the settings are the same.
`X.open(settings)` on each context is a thin call into it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from service.access import keys
from service.settings import Settings

if TYPE_CHECKING:  # each context loads its stack (SQLAlchemy, Google, Celery) only when built
    from integrations.storage.secrets import Vault
    from service.app import App, Clock
    from service.caldav.context import CalDAV
    from service.google.context import Google
    from service.operations.jobs import Jobs
    from service.tracking.confirm_links import Links
    from service.updates.context import Updates


def pool_options(settings: Settings, url: str) -> dict[str, int]:
    """PostgreSQL: a pool of db_pool_size kept open — at least one per worker thread, so that no
    task waits for a connection — and as many again for a burst (a step may hold its read and open
    a write), not a new connection per request (docs/self-hosting.md). SQLite keeps SQLAlchemy's
    own pool (an in-memory database has no overflow to size)."""
    if url.startswith("sqlite"):
        return {}
    size = max(settings.db_pool_size, settings.worker_threads)
    return {"pool_size": size, "max_overflow": size}


def open_app(settings: Settings, clock: Clock | None = None) -> App:
    """The store the settings name, migrated to the newest schema. Without a clock: the system's,
    or the fixed one of NETGOALS_NOW (demos and tests)."""
    from integrations.storage.database import make_engine
    from integrations.storage.migrate import upgrade
    from service.app import App, system_clock

    if clock is None:
        fixed = settings.now
        clock = (lambda: fixed) if fixed is not None else system_clock
    url = settings.effective_database_url
    engine = make_engine(url, **pool_options(settings, url))
    upgrade(engine)
    return App(engine, clock)


@dataclass(eq=False)
class World:
    """Everything a process needs, each part built once, at its first use (a server without
    Google or a secret key still serves everything else)."""

    settings: Settings
    clock: Clock | None = None
    _built: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def _once(self, name: str, build: Callable[[], Any]) -> Any:
        """A part built once; a build that raises is not kept, so it is tried again next time."""
        with self._lock:
            if name not in self._built:
                self._built[name] = build()
            return self._built[name]

    @property
    def app(self) -> App:
        """The engine, the event store, the projections and the clock."""
        found: App = self._once("app", lambda: open_app(self.settings, self.clock))
        return found

    @property
    def vault(self) -> Vault:
        """The vault sealing secrets at rest, opened once (SecretKeyMissingError without a key)."""
        found: Vault = self._once("vault", lambda: keys.open_vault(self.settings))
        return found

    @property
    def google(self) -> Google:
        from service.google.context import Google

        found: Google = self._once("google", lambda: Google.build(self.settings, lambda: self.vault))
        return found

    @property
    def updates(self) -> Updates:
        from service.updates.context import Updates

        found: Updates = self._once("updates", lambda: Updates.build(self.settings, self.vault))
        return found

    @property
    def caldav(self) -> CalDAV:
        from service.caldav.context import CalDAV

        found: CalDAV = self._once("caldav", lambda: CalDAV.build(self.settings, lambda: self.vault))
        return found

    @property
    def links(self) -> Links | None:
        """The confirmation links' signer, or None on a server without a secret key."""
        from service.tracking.confirm_links import Links

        found: Links | None = self._once("links", lambda: Links.build(self.settings))
        return found

    @property
    def jobs(self) -> Jobs:
        """The workers' queue: Redis, Celery, and this world's App."""
        from service.operations.jobs import Jobs, celery_app

        found: Jobs = self._once("jobs", lambda: Jobs(self.settings, self.app, celery_app(self.settings)))
        return found

    def close(self) -> None:
        """Give back the connections and forget the App and the queue: whoever uses this world next
        opens (and migrates) them again, as a fresh process would."""
        with self._lock:
            if "jobs" in self._built:
                self._built.pop("jobs").close()
            if "app" in self._built:
                self._built.pop("app").close()


_worlds: dict[int, World] = {}
_worlds_lock = threading.Lock()


def world(settings: Settings | None = None, clock: Clock | None = None) -> World:
    """This process's world. Without settings: the one built already, else one from the
    environment. Other settings (or another clock) than the world's make a new one, which
    replaces it (tests run many configurations in one process; whoever opened one closes it)."""
    pid = os.getpid()
    with _worlds_lock:
        found = _worlds.get(pid)
        if found is not None and settings is None and clock is None:
            return found
        settings = settings if settings is not None else Settings()
        if found is None or found.settings != settings or (clock is not None and clock is not found.clock):
            _worlds.clear()  # a forked child's copy of its parent's world is never used
            found = _worlds[pid] = World(settings, clock)
        return found
