"""The `netgoals` command line: keep networking goals from the terminal."""
# ruff: noqa: E501 - one command a line below, so the list reads (and merges) as a table

from __future__ import annotations

from typing import Annotated

import typer

from cli import __version__
from cli.lazy import Lazy, LazyGroup

# The panels of --help, in the order it shows them.
DAILY = "Daily use"
NETWORK = "Your network"
CALENDARS = "Calendars"
UPDATES = "Progress updates"
SERVICE = "Running the service"

# Every command, in the order --help lists them: name, where it lives ("module:Typer app or
# function"), the line --help shows (a test checks it against the command's own help), its panel. A
# command's module is imported only when that command runs, so keep these imports out of this file.
COMMANDS = (
    Lazy("init", "cli.daily:init", "Set up netgoals for you (or change your time zone, week start and weekly budget).", DAILY),
    Lazy("log", "cli.daily:log_action", "Log a networking action you took.", DAILY),
    Lazy("retract", "cli.daily:retract", "Retract an action logged by mistake (a correction is a new fact; nothing is edited).", DAILY),
    Lazy("progress", "cli.reading:progress", "Your goals this period: progress bars, status and streaks.", DAILY),
    Lazy("next", "cli.next_list:next_app", "Who to reach out to next, and why.", DAILY),
    Lazy("history", "cli.reading:history", "What happened, newest first, straight from the event log; times in your time zone.", DAILY),
    Lazy("confirm", "cli.confirm:confirm", "Confirm a planned block (--done or --skip), or list the blocks waiting to be confirmed.", DAILY),
    Lazy("goal", "cli.goals:goal_app", "Specific, measurable, time-bound networking goals.", DAILY),
    Lazy("aspiration", "cli.goals:aspiration_app", "Career aspirations your goals serve.", DAILY),
    Lazy("demo", "cli.demo:demo", "A guided tour on a throw-away store.", DAILY),
    Lazy("network", "cli.network:network_app", "Assess your network: strength, last contact, who is overdue, who is new.", NETWORK),
    Lazy("contact", "cli.contact_commands:contact_app", "The people in your network.", NETWORK),
    Lazy("suggestions", "cli.google:suggestions_app", "People you met at attended events who are not contacts yet.", NETWORK),
    Lazy("google", "cli.google:google_app", "Connect Google Calendar: goals in, attended events out.", CALENDARS),
    Lazy("caldav", "cli.caldav:caldav_app", "Connect a CalDAV calendar (Nextcloud, iCloud, Fastmail, Radicale…).", CALENDARS),
    Lazy("sync", "cli.google:sync", "Plan, push and pull once (every connected user, or one) for Google Calendar and CalDAV, read the iCal sources that are due, and print what changed.", CALENDARS),
    Lazy("source", "cli.sources:source_app", "Read iCal calendars (Outlook, iCloud, Meetup…) for attended events.", CALENDARS),
    Lazy("feed", "cli.feed:feed_app", "Subscribe to your networking tasks from any calendar app.", CALENDARS),
    Lazy("notify", "cli.updates:notify_app", "Choose where progress updates go: email, a signed webhook (Slack too), or none.", UPDATES),
    Lazy("updates", "cli.updates:updates_app", "The progress updates sent to you, newest first.", UPDATES),
    Lazy("serve", "cli.serve:serve", "Run everything: the web service, a worker and beat (and an embedded Redis). Ctrl-C stops.", SERVICE),
    Lazy("status", "cli.status:status", "The queue, the workers, beat, the last sweep, pending work and quarantined events.", SERVICE),
    Lazy("config", "cli.config:config_app", "The settings file the CLI and `netgoals serve` both read (the environment still wins).", SERVICE),
    Lazy("user", "cli.users:user_app", "Accounts for the web: users and their API tokens.", SERVICE),
    Lazy("api", "cli.users:api", "Run the HTTP API and the dashboard (uvicorn).", SERVICE),
    Lazy("migrate", "cli.serve:migrate", "Bring the database to the newest schema and exit (compose's one-shot `migrate` service).", SERVICE),
    Lazy("rebuild", "cli.maintenance:rebuild", "Rebuild the projections from the whole log; name any event that cannot be applied.", SERVICE),
    Lazy("export", "cli.maintenance:export", "Export the raw events as JSON Lines.", SERVICE),
    Lazy("import", "cli.maintenance:import_", "Import events from an export: all of them or, if any line is bad, none.", SERVICE),
)  # fmt: skip


class _Commands(LazyGroup):
    lazy = COMMANDS


# Plain help (rich_markup_mode=None): Rich's help panels alone cost more start-up than the target.
app = typer.Typer(
    cls=_Commands,
    no_args_is_help=True,
    help=__doc__,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=True,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"netgoals {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=_print_version, help="Print the version and exit."),
    ] = False,
) -> None:
    """The `netgoals` command line: keep networking goals from the terminal."""


if __name__ == "__main__":
    app()
