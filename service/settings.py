"""Settings from the environment (NETGOALS_*), with embedded defaults for one laptop.

Read by every command before anything else, so the loader is our own (`service.env_settings`, the
same names and conversions as pydantic-settings, without its import cost). Add a field the pydantic
way: `name: type = Field(default=..., description=...)` is read from NETGOALS_NAME.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from pathlib import Path

from service.env_settings import AliasChoices, EnvSettings, Field, SecretStr, SettingsError

__all__ = ["SecretStr", "Settings", "SettingsError"]


def _default_home() -> Path:
    import platformdirs  # only when NETGOALS_HOME is not set

    return Path(platformdirs.user_data_dir("netgoals", appauthor=False))


class Settings(EnvSettings, env_prefix="NETGOALS_"):
    home: Path = Field(default_factory=_default_home, description="data folder of the embedded mode")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in home")
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
    google_quota_pause: int = Field(default=3600, description="seconds a user pauses after quotaExceeded")

    @property
    def google_configured(self) -> bool:
        return bool(self.google_client_id)

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'netgoals.db'}"

    @property
    def embedded(self) -> bool:
        return not self.database_url
