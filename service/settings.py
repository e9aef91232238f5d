"""Settings from the environment (NETGOALS_*), with embedded defaults for one laptop.

Read by every command before anything else, so the loader is our own (`service.env_settings`, the
same names and conversions as pydantic-settings, without its import cost). Add a field the pydantic
way: `name: type = Field(default=..., description=...)` is read from NETGOALS_NAME.
"""

from __future__ import annotations

import os
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from service.env_settings import AliasChoices, EnvSettings, Field, SecretStr, SettingsError

__all__ = ["SecretStr", "Settings", "SettingsError"]

DATABASE_FILE = "netgoals.db"
_PRIVATE_FILES = (DATABASE_FILE, DATABASE_FILE + "-wal", DATABASE_FILE + "-shm", "secret.key")


def secure_home(home: Path) -> None:
    """The embedded store is one person's data and its key: the folder 0700, its files 0600.

    The database file is created here with 0600 before SQLite opens it; SQLite gives the WAL and
    shared-memory files it makes the database file's mode. Files left by older versions are
    tightened in place.
    """
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    home.chmod(0o700)
    os.close(os.open(home / DATABASE_FILE, os.O_RDWR | os.O_CREAT, 0o600))  # SQLite takes an empty file
    for name in _PRIVATE_FILES:
        path = home / name
        if path.exists():
            path.chmod(0o600)


def _default_home() -> Path:
    import platformdirs  # only when NETGOALS_HOME is not set

    return Path(platformdirs.user_data_dir("netgoals", appauthor=False))


def home_from_environment() -> Path:
    """NETGOALS_HOME (or its default) without reading anything else: where settings.toml is."""
    found = next((v for k, v in os.environ.items() if k.lower() == "netgoals_home"), None)
    return Path(found) if found else _default_home()


class Settings(EnvSettings, env_prefix="NETGOALS_"):
    home: Path = Field(default_factory=_default_home, description="data folder of the embedded mode")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in home")
    db_pool_size: int = Field(
        default=8,
        ge=1,
        le=200,
        description="database connections each process keeps open (it may open as many again in a "
        "burst, closed when returned); size processes x 2 x pool within PostgreSQL's max_connections",
    )
    user: str = Field(default="local", description="the user the CLI acts for, by handle or id")
    now: datetime | None = Field(default=None, description="a fixed clock, for demos and tests")

    # --- Google Calendar (every address is a setting, so the whole flow runs against a local fake)
    secret_key: SecretStr | None = Field(
        default=None,
        description="encrypts OAuth tokens at rest (Fernet key or any long passphrase; several keys "
        "separated by commas rotate: the first encrypts). Required with a database URL; the embedded "
        "mode generates one in home/secret.key",
    )
    public_url: str = Field(default="http://127.0.0.1:8000", description="where the web app is reached")
    google_client_id: str | None = Field(default=None, description="OAuth client id")
    google_client_secret: SecretStr | None = Field(default=None, description="OAuth client secret")
    google_auth_uri: str = "https://accounts.google.com/o/oauth2/auth"
    google_token_uri: str = "https://oauth2.googleapis.com/token"  # noqa: S105 - an address
    google_revoke_uri: str = "https://oauth2.googleapis.com/revoke"
    google_api_url: str = Field(
        default="https://www.googleapis.com/calendar/v3/",
        validation_alias=AliasChoices(
            "google_api_url", "netgoals_google_api_url", "netgoals_google_api_endpoint"
        ),
        description="the Calendar API root (must end in calendar/v3/)",
    )
    google_batch_uri: str = "https://www.googleapis.com/batch/calendar/v3"
    google_num_retries: int = Field(default=4, description="retries the client makes (5xx, 429, rate limits)")
    google_plan_weeks: int = Field(default=8, description="how many weeks ahead goals are planned")
    confirm_after_days: int = Field(
        default=7, ge=1, description="days a passed block waits for confirmation before it is skipped"
    )
    google_quota_pause: int = Field(default=3600, description="seconds a user pauses after quotaExceeded")

    # --- progress updates (email, webhooks, the weekly digest)
    smtp_host: str | None = Field(default=None, description="SMTP server for email updates; unset: no email")
    smtp_port: int = Field(default=587, description="SMTP port (587 STARTTLS, 465 TLS, 25 plain)")
    smtp_security: str = Field(default="starttls", description="starttls, tls or none")
    smtp_username: str | None = Field(default=None, description="SMTP login, if the server wants one")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password")
    mail_from: str = Field(default="netgoals <netgoals@localhost>", description="the From of every email")
    allow_private_targets: bool = Field(
        default=False, description="let webhooks reach loopback and private addresses (trusted networks)"
    )
    update_retry_hours: float = Field(default=24.0, description="how long a failing update is retried")
    updates_every_seconds: float = Field(
        default=20,
        gt=0,
        description="how often the workers hand out the people due a progress-update decision and the "
        "deliveries due (a quiet tick is one indexed query each, whoever is registered)",
    )
    update_lease_seconds: float = Field(
        default=120.0, description="how long a sender holds a delivery before another may take it over"
    )

    # --- workers (Celery on Redis)
    redis_url: str | None = Field(
        default=None,
        description="Redis for the task queue, locks, beat and sign-in limits (redis://host:6379/0); "
        "default: an embedded Redis under home, started by `netgoals serve`",
    )
    task_time_limit: int = Field(
        default=300,
        ge=2,
        description="seconds a task may run: Celery's limit where the pool enforces one; with threads, "
        'the budget the long tasks stop themselves within (docs/google.md, "Workers")',
    )
    worker_threads: int = Field(
        default=4,
        ge=1,
        le=64,
        description="tasks one worker process runs at once (Celery's threads pool: a sync mostly waits on "
        "a calendar); the process's database pool keeps at least this many connections",
    )
    user_lock_seconds: int | None = Field(
        default=None, ge=1, description="how long a per-user lock lives (default: the time limit + 30 s)"
    )
    visibility_timeout: int = Field(
        default=3600, ge=10, description="seconds before Redis hands an unacknowledged task out again"
    )
    task_max_deliveries: int = Field(
        default=3, ge=1, description="deliveries of one message (worker lost mid-task) before giving up"
    )
    sweep_seconds: float = Field(
        default=60, gt=0, description="how often the sweep re-enqueues pending work (invariant 7)"
    )
    poll_minutes: float = Field(default=15, gt=0, description="poll a calendar without push this often")
    poll_minutes_with_push: float = Field(
        default=60, gt=0, description="poll a calendar with a live push channel this often (safety net)"
    )
    queued_mark_seconds: int = Field(
        default=300, ge=1, description="how long a 'sync queued' mark debounces requests for a user"
    )
    push_debounce_seconds: float = Field(
        default=0.5,
        ge=0,
        le=30,
        description="a push notification's sync waits this long, so a burst of them becomes one sync",
    )
    beat_lock_seconds: int = Field(
        default=30, ge=5, description="seconds a second beat waits for a silent first one to take over"
    )
    idempotent_answer_days: int = Field(default=7, ge=1, description="how long stored answers are kept")
    metrics_token: SecretStr | None = Field(
        default=None,
        description="when set, /metrics asks for it as a bearer token; unset, it answers loopback only",
    )

    @property
    def effective_redis_url(self) -> str:
        if self.redis_url:
            return self.redis_url
        return f"redis+socket://{self.embedded_redis_folder / 'redis.sock'}?virtual_host=0"

    @property
    def embedded_redis_folder(self) -> Path:
        return self.home / "redis"

    @property
    def embedded_redis(self) -> bool:
        return not self.redis_url

    # --- iCalendar: the feed netgoals publishes and the calendars people subscribe to
    allow_private_sources: bool = Field(
        default=False,
        description="fetch sources on loopback/private/link-local addresses (tests, self-hosters)",
    )
    source_interval: int = Field(default=1800, description="seconds between polls of a source")
    source_max_bytes: int = Field(default=10 * 1024 * 1024, description="largest source download")
    source_timeout: float = Field(default=20.0, description="seconds a source download may take")
    source_lookback_days: int = Field(default=90, description="how far back a source read looks")
    feed_refresh: int = Field(default=3600, description="seconds the feed asks subscribers to wait")
    feed_past_weeks: int = Field(default=52, description="weeks of done and skipped tasks in the feed")
    feed_future_weeks: int = Field(default=8, description="weeks of planned tasks in the feed")
    caldav_ca_bundle: str | None = Field(
        default=None,
        description="a PEM file of CA certificates CalDAV servers may also be verified with (a private CA)",
    )

    @property
    def google_configured(self) -> bool:
        return bool(self.google_client_id)

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host)

    def _stored_values(self) -> dict[str, tuple[Any, str]]:
        """Below the environment: home/settings.toml (`netgoals config set`), then — for the public
        URL only — where the running server is reached (served.toml)."""
        # tomllib, only when a setting is left to its default
        from service.operations import served, settings_file

        known = frozenset(self._specs())
        where = str(settings_file.path_in(self.home))
        stored = {k: (v, where) for k, v in settings_file.read(self.home, known).items()}
        found = served.read(self.home)
        if found is not None and "public_url" not in stored:
            stored["public_url"] = (found.public_url, str(self.home / served.SERVED_FILE))
        return stored

    @cached_property
    def effective_database_url(self) -> str:
        """The database URL; in the embedded mode the SQLite file in home, made private first."""
        if self.database_url:
            return self.database_url
        secure_home(self.home)
        return f"sqlite:///{self.home / DATABASE_FILE}"

    @property
    def embedded(self) -> bool:
        return not self.database_url
