"""Settings from the environment (NETGOALS_*), with embedded defaults for one laptop."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("netgoals", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NETGOALS_", extra="ignore")

    home: Path = Field(default_factory=_default_home, description="data folder of the embedded mode")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in home")
    user: str = Field(default="local", description="the user the CLI acts for, by handle or id")
    now: datetime | None = Field(default=None, description="a fixed clock, for demos and tests")

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'netgoals.db'}"

    @property
    def embedded(self) -> bool:
        return not self.database_url
