"""`netgoals user ...` (accounts and API tokens) and `netgoals api` (the web server)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli import render
from cli.common import JsonOption, opened
from service.access import accounts, users
from service.app import App
from service.commands import DomainError, parse_timezone, parse_week_start
from service.settings import Settings

user_app = typer.Typer(no_args_is_help=True, help="Accounts for the web: users and their API tokens.")
token_app = typer.Typer(no_args_is_help=True, help="A user's API token: rotate or revoke it.")
user_app.add_typer(token_app, name="token")

UserArgument = Annotated[str, typer.Argument(help="The user's email (handle) or id.")]

_TOKEN_NOTE = "This token is shown only once: keep it somewhere safe (a password manager)."  # noqa: S105


@contextmanager
def _service() -> Iterator[App]:
    with opened() as (service, _settings):
        yield service


def _print_token(user_id: str, handle: str, token: str, as_json: bool) -> None:
    if as_json:
        render.print_json({"user_id": user_id, "handle": handle, "token": token})
        return
    render.console.print(f"User [bold]{handle}[/bold] ({user_id})")
    render.console.print(f"API token: [bold]{token}[/bold]", highlight=False, soft_wrap=True)
    render.errors.print(_TOKEN_NOTE)


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="The user's email address; it is also their handle.")],
    timezone: Annotated[str, typer.Option(help="Their IANA time zone, e.g. Europe/Berlin.")] = "UTC",
    week_start: Annotated[str, typer.Option(help="First day of their week.")] = "monday",
    as_json: JsonOption = False,
) -> None:
    """Create a user and print their API token (once)."""
    with _service() as service:
        account = accounts.add_user(service, email, timezone, week_start=parse_week_start(week_start))
        _print_token(account.user.user_id, account.user.handle, account.token, as_json)


@user_app.command("list")
def user_list(as_json: JsonOption = False) -> None:
    """List users and whether they have an API token."""
    with _service() as service:
        found = users.list_users(service)
        with_token = accounts.has_token(service)
        if as_json:
            render.print_json(
                [
                    {
                        "user_id": u.user_id,
                        "handle": u.handle,
                        "timezone": u.timezone,
                        "has_token": u.user_id in with_token,
                    }
                    for u in found
                ]
            )
            return
        table = Table(title="Users", title_justify="left")
        for column in ("id", "handle", "time zone", "API token"):
            table.add_column(column)
        for u in found:
            table.add_row(u.user_id, u.handle, u.timezone, "yes" if u.user_id in with_token else "no")
        render.console.print(table)


@token_app.command("rotate")
def token_rotate(
    user: UserArgument,
    everything: Annotated[
        bool,
        typer.Option(
            "--everything",
            help="Also new calendar feed URLs, and every confirm and unsubscribe link sent so far refused.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Give a user a new API token; the old one and their dashboard sessions stop working."""
    if not everything:
        with _service() as service:
            record = service.user(user)
            token = accounts.issue_token(service, record.user_id)
            _print_token(record.user_id, record.handle, token, as_json)
        return
    from service.access import credentials

    with opened() as (service, settings):
        record = service.user(user)
        done = credentials.rotate_everything(service, settings, record.user_id)
    if as_json:
        from service.shapes.account import RotatedOut, UserRotatedOut

        shape = RotatedOut.of(done).model_dump()
        render.print_shape(UserRotatedOut(**shape, user_id=record.user_id, handle=record.handle))
        return
    _print_token(record.user_id, record.handle, done.token, as_json)
    for links in done.feeds:
        render.console.print(f"New feed URL: {links.https}", highlight=False, soft_wrap=True)
    render.console.print("Every confirm and unsubscribe link sent before now no longer works.")


@token_app.command("revoke")
def token_revoke(user: UserArgument) -> None:
    """Revoke a user's API token and sign them out of the dashboard."""
    with _service() as service:
        record = service.user(user)
        accounts.revoke_token(service, record.user_id)
        render.console.print(f"API token of {record.handle} revoked.")


def api(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    proxy_headers: Annotated[
        bool, typer.Option(help="Trust X-Forwarded-* from --forwarded-allow-ips (behind a proxy).")
    ] = False,
    forwarded_allow_ips: Annotated[
        str, typer.Option(help="Proxies trusted for X-Forwarded-*.")
    ] = "127.0.0.1",
    welcome: Annotated[
        bool, typer.Option(hidden=True, help="Say how to sign in (serve says it itself).")
    ] = True,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="API processes sharing the port (about one per core).")
    ] = 1,
) -> None:
    """Run the HTTP API and the dashboard (uvicorn)."""
    import uvicorn

    from service.operations import served

    settings = Settings()
    _require_free_port(host, port)
    url = served.start(settings, host, port)
    # The app (its own Settings, in uvicorn's factory) links to where it is reached.
    os.environ["NETGOALS_PUBLIC_URL"] = url
    if settings.embedded and welcome:
        _welcome_local_user(settings, f"{url}/")

    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        workers=workers,  # uvicorn's processes on one socket; each has its own pool (NETGOALS_DB_POOL_SIZE)
    )


def _require_free_port(host: str, port: int) -> None:
    """A port already taken is one clear line, not uvicorn's traceback."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            render.errors.print(
                f"[bold red]error:[/bold red] cannot listen on {host}:{port} ({exc.strerror or exc}): "
                "is netgoals already running? Choose another one with --port.",
                highlight=False,
            )
            raise typer.Exit(2) from None


def _system_timezone() -> str:
    """The machine's IANA zone (TZ, or where /etc/localtime points), else UTC."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        with suppress(OSError):
            name = str(Path("/etc/localtime").resolve()).partition("zoneinfo/")[2]
    try:
        return parse_timezone(name).key if name else "UTC"
    except DomainError:
        return "UTC"


def local_sign_in(settings: Settings) -> tuple[str, str | None]:
    """On one laptop nobody has made an account yet: make the local one. Its handle, and its token
    when it had none yet (shown once)."""
    with _service() as service:
        record, token = accounts.ensure_local_account(service, settings.user, _system_timezone())
    return record.handle, token


def sign_in_lines(handle: str, token: str | None) -> list[str]:
    """How to sign in (Rich markup), the way to a new token last: a lost token is not a dead end."""
    again = f"`netgoals user token rotate {handle}` prints a new one"
    if token is None:
        return [f"Sign in as [bold]{handle}[/bold] with your token (lost it? {again})."]
    return [
        f"Sign in as [bold]{handle}[/bold] with token [bold]{token}[/bold]",
        f"{_TOKEN_NOTE} Lost it? {again} (the old one then stops working).",
    ]


def _welcome_local_user(settings: Settings, url: str) -> None:
    handle, token = local_sign_in(settings)
    render.console.print(f"Dashboard: [bold]{url}[/bold]  (API docs: {url}docs)")
    for line in sign_in_lines(handle, token):
        render.console.print(line, highlight=False, soft_wrap=True)
