"""What people type, read as they mean it: relative times, action kinds, names of contacts."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from cli.parsing import check_kind, parse_moment
from service.commands import DomainError, NotFoundError
from service.read_models.lookup import resolve

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)  # a Wednesday, 10:30 in Berlin


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yesterday 19:00", datetime(2026, 11, 24, 19, 0, tzinfo=BERLIN)),
        ("Yesterday  at 7:05", datetime(2026, 11, 24, 7, 5, tzinfo=BERLIN)),
        ("today", datetime(2026, 11, 25, 12, 0, tzinfo=BERLIN)),
        ("3 days ago 18:00", datetime(2026, 11, 22, 18, 0, tzinfo=BERLIN)),
        ("monday 18:00", datetime(2026, 11, 23, 18, 0, tzinfo=BERLIN)),
        ("wed", datetime(2026, 11, 25, 12, 0, tzinfo=BERLIN)),  # today is a Wednesday
        ("last wed", datetime(2026, 11, 18, 12, 0, tzinfo=BERLIN)),
        ("2026-11-20 19:00", datetime(2026, 11, 20, 19, 0, tzinfo=BERLIN)),
        ("2026-11-20", datetime(2026, 11, 20, 12, 0, tzinfo=BERLIN)),
    ],
)
def test_relative_and_absolute_times(text: str, expected: datetime) -> None:
    assert parse_moment(text, BERLIN, "--at", now=NOW) == expected


def test_now_is_now_and_nonsense_names_the_forms() -> None:
    assert parse_moment("now", BERLIN, now=NOW) == NOW
    with pytest.raises(DomainError, match="is empty"):
        parse_moment("  ", BERLIN, "--at", now=NOW)
    with pytest.raises(DomainError, match="yesterday 19:00"):
        parse_moment("the other day", BERLIN, "--at", now=NOW)
    with pytest.raises(DomainError, match="25:00 is not a time"):
        parse_moment("yesterday 25:00", BERLIN, "--at", now=NOW)


def test_a_near_miss_of_a_kind_is_questioned_and_a_new_kind_needs_asking() -> None:
    known = {"attend-event", "reach-out"}
    with pytest.raises(DomainError, match=r"did you mean attend-event\?.*--new-kind"):
        check_kind("atend-event", known, allow_new=False)
    with pytest.raises(DomainError, match="--new-kind") as unknown:
        check_kind("podcast-guest", known, allow_new=False)
    assert "did you mean" not in str(unknown.value)
    assert check_kind("podcast-guest", known, allow_new=True) == "podcast-guest"
    assert check_kind("Attend-Event", known, allow_new=False) == "attend-event"


def test_contacts_by_the_unique_start_of_a_name_in_any_case() -> None:
    people = [("a1b2c3d4-0000", "Ada Lovelace"), ("e5f6a7b8-0000", "Adam Smith"), ("c9d0e1f2-0000", "Grace")]
    assert resolve("grace", people, "contact") == "c9d0e1f2-0000"
    assert resolve("ada l", people, "contact") == "a1b2c3d4-0000"
    assert resolve("ADA LOVELACE", people, "contact") == "a1b2c3d4-0000"
    assert resolve("e5f6", people, "contact") == "e5f6a7b8-0000"
    with pytest.raises(DomainError, match=r"ambiguous.*Ada Lovelace, Adam Smith"):
        resolve("ada", people, "contact")
    with pytest.raises(NotFoundError, match="no contact named or with id 'Linus'"):
        resolve("Linus", people, "contact")
