"""`netgoals config set|unset|show`: the settings file (NETGOALS_HOME/settings.toml) that the CLI
and the running service both read; the environment (NETGOALS_*) still wins over it."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from rich.table import Table

from cli import render
from cli.common import JsonOption, load_settings
from service.env_settings import SecretStr
from service.operations import served, settings_file
from service.settings import Settings, SettingsError, home_from_environment

config_app = typer.Typer(
    no_args_is_help=True,
    help="The settings file the CLI and `netgoals serve` both read (the environment still wins).",
)


def _known() -> frozenset[str]:
    return frozenset(Settings._specs()) - settings_file.NOT_STORED


def _field(key: str) -> str:
    """The setting a name means: its field name, or any environment name it is read by
    (NETGOALS_GOOGLE_API_ENDPOINT is google_api_url's other name)."""
    name = settings_file.key_of(key)
    if name in _known():
        return name
    wanted = key.strip().lower().replace("-", "_")
    for spec in Settings._specs().values():
        if spec.name in _known() and {wanted, f"netgoals_{name}"} & set(spec.names):
            return spec.name
    return name


def _fail(message: str) -> typer.Exit:
    render.errors.print(f"[bold red]error:[/bold red] {message}", highlight=False)
    return typer.Exit(2)


def _after_change(key: str) -> None:
    home = home_from_environment()
    variable = f"NETGOALS_{key.upper()}"
    if any(k.upper() == variable for k in os.environ):
        render.console.print(f"Note: {variable} in this shell's environment wins over the file here.")
    running = served.read(home)
    if running is not None and running.alive:
        render.console.print("Restart `netgoals serve` so that the running service reads it.")


@config_app.command("set")
def set_(
    key: Annotated[str, typer.Argument(help="The setting, e.g. google_client_id or NETGOALS_SMTP_HOST.")],
    value: Annotated[str, typer.Argument(help="Its value.")],
) -> None:
    """Store one setting in settings.toml (owner-only: it may hold secrets)."""
    name = _field(key)
    if name not in _known():
        raise _fail(f"unknown setting {key!r} (`netgoals config show --all` lists them)")
    try:
        Settings(**{name: value})  # the value must be one the setting takes
        path = settings_file.write(home_from_environment(), name, value, _known())
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    render.console.print(f"Set {name} in {path}.")
    _after_change(name)


@config_app.command("unset")
def unset(key: Annotated[str, typer.Argument(help="The setting to remove from the file.")]) -> None:
    """Remove one setting from settings.toml (its default, or the environment's value, applies)."""
    name = _field(key)
    try:
        path = settings_file.write(home_from_environment(), name, None, _known())
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    render.console.print(f"Removed {name} from {path}.")
    _after_change(name)


def _shown(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return "********" if value.get_secret_value() else ""
    return str(value) if value is not None and not isinstance(value, bool | int | float) else value


@config_app.command("show")
def show(
    every: Annotated[bool, typer.Option("--all", help="Every setting, defaults too.")] = False,
    as_json: JsonOption = False,
) -> None:
    """What is configured and where each value comes from (secrets hidden)."""
    settings = load_settings()
    rows = [
        (name, _shown(getattr(settings, name)), settings.source_of(name))
        for name in Settings._specs()
        if every or settings.source_of(name) != "default" or name == "public_url"
    ]
    running = served.read(settings.home)
    service = None
    if running is not None and running.alive:
        service = {"public_url": running.public_url, "google": running.google, "smtp": running.smtp}
    summary = {
        "google": settings.google_configured,
        "smtp": settings.smtp_configured,
        "public_url": settings.public_url,
        "file": str(settings_file.path_in(settings.home)),
        "running_service": service,
    }
    if as_json:
        render.print_json({"settings": [{"key": k, "value": v, "from": f} for k, v, f in rows], **summary})
        return
    table = Table(title="Settings", title_justify="left")
    for column in ("key", "value", "from"):
        table.add_column(column)
    for name, value, source in rows:
        table.add_row(name, str(value), source)
    render.console.print(table)
    yes = {True: "configured", False: "not configured"}
    render.console.print(f"Google Calendar: {yes[settings.google_configured]}")
    render.console.print(f"Email updates (SMTP): {yes[settings.smtp_configured]}")
    if running is not None and service is not None:
        render.console.print(
            f"The running service: Google {yes[running.google]}, email {yes[running.smtp]},"
            f" at {running.public_url}"
        )
