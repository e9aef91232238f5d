"""`netgoals next` through the real entry point: the list, its answers as facts, `--as-of`, the
offer-help match, and what an answer counts for (issue 28)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_cli import Run, _event_count, _json, _runner_for

NOW = "2026-03-10T09:00:00+00:00"


@pytest.fixture
def netgoals(tmp_path: Path) -> Run:
    """The CLI on its own store, at this file's moment unless told another."""
    run = _runner_for(tmp_path / "home")

    def at_now(*args: str, ok: bool = True, now: str = NOW) -> subprocess.CompletedProcess[str]:
        return run(*args, ok=ok, now=now)

    return at_now


def _items(netgoals: Run, *args: str, now: str = NOW) -> list[dict[str, object]]:
    found = _json(netgoals("next", "--json", *args, now=now))
    assert isinstance(found, list)
    return found


def test_next_answers_are_facts_and_done_counts(netgoals: Run, tmp_path: Path) -> None:
    netgoals("init", now="2026-03-01T08:00:00+00:00")
    netgoals(
        "goal",
        "add",
        "--title",
        "Follow up twice a week",
        "--action",
        "follow-up",
        "--target",
        "2",
        "--frame",
        "week",
    )
    netgoals("contact", "add", "Ben Okafor", now="2026-03-09T08:00:00+00:00")
    netgoals("log", "attend-event", "Climate meetup", "--contact", "Ben", now="2026-03-09T20:00:00+00:00")
    netgoals("contact", "add", "Dan Ruiz", now="2026-03-02T08:00:00+00:00")
    netgoals("next", "needs", "Dan", "advice on pricing")
    netgoals("next", "offers", "pricing advice", "website audits")

    items = _items(netgoals)
    assert [i["item_id"].split(":")[0] for i in items] == ["follow-up", "offer"]
    assert items[0]["reason"] == (
        "You first met Ben Okafor yesterday and have not been in touch since: "
        "follow up while it is fresh (6 days left in the week after)."
    )
    assert items[0]["goal_title"] == "Follow up twice a week"
    assert (
        items[1]["reason"] == "Dan Ruiz is looking for “advice on pricing”; you can offer “pricing advice”."
    )
    text = netgoals("next").stdout
    assert "1. You first met Ben Okafor yesterday" in text and "for: Follow up twice a week" in text

    before = _event_count(tmp_path / "home")
    done = netgoals("next", "done", "1")
    assert "logged as action" in done.stdout
    assert _event_count(tmp_path / "home") == before + 2  # the action and the answer, together
    progress = _json(netgoals("progress", "--json"))
    assert isinstance(progress, list) and progress[0]["done"] == 1
    netgoals("next", "dismiss", items[1]["item_id"])
    assert _items(netgoals) == []
    # Not now rests a week; --as-of reads the list as it stood before the answers.
    assert [i["item_id"] for i in _items(netgoals, now="2026-03-17T09:01:00+00:00")] == [items[1]["item_id"]]
    assert [i["item_id"] for i in _items(netgoals, "--as-of", "2026-03-09")] == []  # nothing was 1 day old
    history = netgoals("history").stdout
    assert "Not now: a suggestion about Dan Ruiz" in history


def test_bad_answers_change_nothing(netgoals: Run, tmp_path: Path) -> None:
    netgoals("init", now="2026-03-01T08:00:00+00:00")
    netgoals("contact", "add", "Ben Okafor", now="2026-03-09T08:00:00+00:00")
    netgoals("log", "attend-event", "--contact", "Ben", now="2026-03-09T20:00:00+00:00")
    before = _event_count(tmp_path / "home")
    for args, message in [
        (("next", "done", "9"), "no item '9' in your next list"),
        (("next", "snooze", "1", "--until", "2026-03-01"), "give a day after today"),
        (("next", "--as-of", "2027-01-01"), "is in the future"),
        (("next", "offers", "x" * 200), "longer than 120 characters"),
    ]:
        result = netgoals(*args, ok=False)
        assert result.returncode == 2, result.stderr
        assert message in result.stderr
    assert _event_count(tmp_path / "home") == before


def test_promises_briefs_and_the_daily_time_from_the_cli(netgoals: Run, tmp_path: Path) -> None:
    netgoals("init", "--timezone", "Europe/Berlin", now="2026-03-01T08:00:00+00:00")
    netgoals("contact", "add", "Ben Okafor", now="2026-03-09T08:00:00+00:00")
    netgoals("log", "attend-event", "Climate meetup", "--contact", "Ben", now="2026-03-09T20:00:00+00:00")
    done = netgoals("next", "done", "1", "--promise", "send Ben the climate report")
    assert "Promise noted: send Ben the climate report" in done.stdout
    items = _items(netgoals, now="2026-03-11T09:00:00+00:00")
    assert [i["kind"] for i in items] == ["keep-promise"]
    assert items[0]["reason"] == (
        "You promised Ben Okafor “send Ben the climate report” yesterday: keep it, then mark it done."
    )
    assert "promised: send Ben the climate report" in netgoals("history").stdout
    netgoals("next", "done", items[0]["item_id"], now="2026-03-11T09:00:00+00:00")
    assert _items(netgoals, now="2026-03-12T09:00:00+00:00") == []

    assert "No meetings with people you know" in netgoals("next", "--brief").stdout
    assert _json(netgoals("next", "--brief", "--json")) == []
    missing = netgoals("next", "brief", "abc123", ok=False)
    assert missing.returncode == 2 and "no meeting 'abc123'" in missing.stderr

    before = _event_count(tmp_path / "home")
    bad = netgoals("notify", "daily", "7h30", ok=False)
    assert bad.returncode == 2 and "use HH:MM" in bad.stderr
    assert _event_count(tmp_path / "home") == before
    assert "Daily message at 07:30" in netgoals("notify", "daily", "7:30").stdout
    assert "daily message at 07:30" in netgoals("history").stdout
    assert netgoals("notify", "daily", "off").stdout.strip() == "Daily message: off."
