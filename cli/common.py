"""What every command shares: the --user and --json options, and opening the store for one command
with rejected commands turned into a one-line error and exit code 2."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from cli import render
from service.commands import DomainError
from service.settings import Settings, SettingsError

if TYPE_CHECKING:  # the store (SQLAlchemy) loads only when a command opens it
    from service.app import App

UserOption = Annotated[
    str | None,
    typer.Option("--user", "-u", help="Act for this user (handle, email or id).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def load_settings() -> Settings:
    """The settings, or `error: setting NETGOALS_X: ...` and exit code 2 for a value that cannot be used."""
    try:
        return Settings()
    except SettingsError as exc:
        render.errors.print(f"[bold red]error:[/bold red] {exc}", highlight=False)
        raise typer.Exit(2) from None


@contextmanager
def opened(*also_rejected: type[Exception]) -> Iterator[tuple[App, Settings]]:
    """The store for one command. DomainError (and `also_rejected`) become `error: ...`, exit 2."""
    from service import bootstrap

    settings = load_settings()
    rejected: tuple[type[Exception], ...] = (DomainError, *also_rejected)
    try:
        world = bootstrap.world(settings)  # this process's (service/bootstrap.py)
        try:
            yield world.app, settings
        finally:
            world.close()
    except rejected as exc:
        render.errors.print(f"[bold red]error:[/bold red] {exc}", highlight=False)
        raise typer.Exit(2) from None


@contextmanager
def acting_as(user: str | None = None) -> Iterator[tuple[App, str]]:
    """The store and the user a command acts for (`""`: a command for no user in particular)."""
    with opened() as (service, settings):
        yield service, (service.user(user or settings.user).user_id if user != "" else "")
