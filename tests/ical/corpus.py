"""The real-world calendars installed with icalendar and recurring-ical-events (exports from
Google, Outlook, Apple, Thunderbird, Meetup; broken files; RFC examples), read from the installed
packages — never copied."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def corpus_roots() -> list[Path]:
    return [
        Path(str(files("icalendar") / "tests")),
        Path(str(files("recurring_ical_events") / "test" / "calendars")),
    ]


def corpus_files() -> list[Path]:
    return sorted(p for root in corpus_roots() for p in root.rglob("*.ics"))


def corpus_file(package: str, name: str) -> Path:
    roots = {"icalendar": corpus_roots()[0] / "calendars", "recurring": corpus_roots()[1]}
    return roots[package] / name
