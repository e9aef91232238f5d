"""`netgoals demo`: the five-minute tour, run on a throw-away store so nothing of yours changes."""

from __future__ import annotations

import os
import tempfile

import typer
from rich.rule import Rule

from cli import render

_CLIENT_STEPS = (
    ("Set up, in your time zone", ["init", "--timezone", "Europe/Berlin"]),
    (
        "Name the career aspiration your networking serves",
        ["aspiration", "add", "Move into a product role at a climate startup", "--kind", "new-job"],
    ),
    (
        "Goal 1: attend one networking event per month",
        ["goal", "add", "--template", "monthly-event"],
    ),
    (
        "Goal 2: reach out to one new contact per week",
        ["goal", "add", "--template", "weekly-outreach"],
    ),
    (
        "Assess your network: add a contact",
        [
            "contact",
            "add",
            "Ada Lovelace",
            "--email",
            "ada@example.org",
            "--strength",
            "2",
            "--tag",
            "mentor",
            "--cadence-days",
            "30",
        ],
    ),
    (
        "Goal 3: build a relationship with a mentor within six months",
        ["goal", "add", "--template", "mentor", "--contact", "Ada Lovelace"],
    ),
    ("Take action: you went to a meetup", ["log", "attend-event", "Climate Tech Meetup"]),
    (
        "...and reached out to Ada",
        [
            "log",
            "reach-out",
            "--contact",
            "Ada Lovelace",
            "--note",
            "asked about her move to product",
        ],
    ),
    ("Where you stand", ["progress"]),
    ("Your network", ["network"]),
)


def demo() -> None:
    """A guided tour on a throw-away store."""
    from cli.main import app  # the whole command line, loaded when the tour runs

    run_demo(app)


def run_demo(app: typer.Typer) -> None:
    """Run the tour's steps through `app`, on a temporary NETGOALS_HOME."""
    with tempfile.TemporaryDirectory(prefix="netgoals-demo-") as home:
        saved = {k: os.environ.get(k) for k in ("NETGOALS_HOME", "NETGOALS_DATABASE_URL", "NETGOALS_USER")}
        os.environ["NETGOALS_HOME"] = home
        os.environ.pop("NETGOALS_DATABASE_URL", None)
        os.environ["NETGOALS_USER"] = "demo"
        try:
            for title, args in _CLIENT_STEPS:
                render.console.print(Rule(f"[bold]{title}[/bold]"))
                render.console.print(f"[dim]$ netgoals {' '.join(_quote(a) for a in args)}[/dim]")
                try:
                    app(args, standalone_mode=False)
                except typer.Exit as stop:
                    if stop.exit_code:
                        raise
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    render.console.print(Rule())
    render.console.print(
        "That was a throw-away store. Start for real with [bold]netgoals init --timezone <yours>[/bold];"
        " see README.md for the tour."
    )


def _quote(arg: str) -> str:
    return f'"{arg}"' if " " in arg else arg
