"""Rich output for people; JSON for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from service.commands import NetworkAssessment
from service.read_models.progress import ProgressLine

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # one error, one line: the terminal wraps it

_STATUS_STYLE = {
    "met": "bold green",
    "on-track": "green",
    "behind": "yellow",
    "missed": "red",
    "upcoming": "dim",
    "paused": "blue",
}


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


def print_shape(value: BaseModel | Sequence[BaseModel]) -> None:
    """A resource in the JSON shape the API answers with (`service/shapes/`)."""
    if isinstance(value, BaseModel):
        print_json(value.model_dump(mode="json"))
    else:
        print_json([item.model_dump(mode="json") for item in value])


def status(text: str) -> Text:
    return Text(text, style=_STATUS_STYLE.get(text, ""))


def progress_table(lines: Iterable[ProgressLine], title: str) -> Table:
    table = Table(title=title, title_justify="left", expand=False)
    table.add_column("goal", ratio=3)
    table.add_column("this period", no_wrap=True)
    table.add_column("progress", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("streak", no_wrap=True, justify="right")
    for line in lines:
        row = line.as_dict()
        bar = ProgressBar(total=max(row["target"], 1), completed=min(row["done"], row["target"]), width=12)
        progress = Table.grid()
        progress.add_row(bar, f" {row['done']}/{row['target']}")
        if row["expected_by_now"] is not None:
            progress.add_row(
                Text(f"expect {row['expected_by_now']}, slack {row['slack_days']}d", style="dim"),
                "",
            )
        goal = Text(row["title"])
        goal.append(f"\n{row['goal_id'][:8]}", style="dim")
        period = f"{row['period_start']}\n{row['period_end']}"
        streak = f"{row['streak']}\nbest {row['best_streak']}"
        table.add_row(goal, period, progress, status(row["status"]), streak)
    return table


def network_tables(assessment: NetworkAssessment) -> list[Table]:
    contacts = Table(title="Your network", title_justify="left")
    for column in ("name", "id", "strength", "organisation", "tags", "last interaction", "due"):
        contacts.add_column(column)
    for s in assessment.contacts:
        c = s.contact
        last = s.interactions.last.date().isoformat() if s.interactions.last else "never"
        due = Text(f"{s.overdue_days}d overdue", style="yellow") if s.overdue_days else Text("")
        strength = "★" * (c.strength or 0) or "unrated"
        contacts.add_row(
            c.name, c.contact_id[:8], strength, c.organisation or "", ", ".join(c.tags), last, due
        )
    summary = Table(title="Assessment", title_justify="left", show_header=False)
    summary.add_column("what")
    summary.add_column("value")
    summary.add_row("contacts", str(len(assessment.contacts)))
    summary.add_row(
        "by strength",
        "  ".join(f"{k}: {v}" for k, v in assessment.by_strength.items() if v) or "none yet",
    )
    summary.add_row("overdue", ", ".join(s.contact.name for s in assessment.overdue) or "nobody")
    summary.add_row("new this week", ", ".join(s.contact.name for s in assessment.new_this_week) or "nobody")
    summary.add_row(
        "new this month", ", ".join(s.contact.name for s in assessment.new_this_month) or "nobody"
    )
    return [summary, contacts]


# What a person reads for the action kinds netgoals knows (a kind of one's own: its words, unhyphened).
_ACTION_WORDS = {
    "attend-event": "attend an event",
    "reach-out": "reach out",
    "follow-up": "follow up",
    "offer-help": "offer help",
    "meet-mentor": "meet a mentor",
}
# Where imported contacts came from, as the services spell themselves.
_SOURCE_NAMES = {"linkedin": "LinkedIn", "google": "Google", "vcard": "vCard", "outlook": "Outlook"}


def action_words(kind: str) -> str:
    """An action kind in words ("attend-event" → "attend an event"), for people; --json keeps slugs."""
    return _ACTION_WORDS.get(kind, kind.replace("-", " "))


def source_name(kind: str) -> str:
    return _SOURCE_NAMES.get(kind.lower(), kind)


def named(title: str, item_id: str) -> str:
    """What an answer calls a thing: its title, with the short id a later command can take."""
    return f"{title} ({item_id[:8]})"


def local_time(moment: datetime | str, zone: tzinfo) -> str:
    """A stored moment (UTC; an ISO string or a datetime) in the person's zone, with the zone's
    name ("2026-12-06 07:39 CET"), so nobody converts from UTC in their head."""
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if when.tzinfo is None:  # stored naive: UTC
        when = when.replace(tzinfo=UTC)
    return when.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
