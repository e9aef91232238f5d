"""One wrong row no longer hides the others: a file is read to the end, every wrong row is named at
once, and the readable rows come back when the person chose to import the rest. By default the file
is still refused whole."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integrations.contact_files import MAX_NAMED, ContactFileError, read_contacts

HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
# each way a LinkedIn row can be wrong by itself, and what the message says about it
WRONG = {
    "date": ("Tuesday", "is not a date"),
    "url": ("https://example.org/maya", "is not a LinkedIn profile URL"),
    "text": ("Ma\x00ya", "the name"),
}


def _row(i: int, wrong: str | None) -> str:
    first, url, known = f"Person{i}", f"https://www.linkedin.com/in/person-{i}", "14 Mar 2019"
    if wrong == "date":
        known = WRONG["date"][0]
    elif wrong == "url":
        url = WRONG["url"][0]
    elif wrong == "text":
        first = WRONG["text"][0]
    return f"{first},Lin,{url},,Green Grid,Engineer,{known}"


def _file(rows: list[str | None]) -> bytes:
    return ("\r\n".join([HEADER, *(_row(i, w) for i, w in enumerate(rows))]) + "\r\n").encode()


def test_every_wrong_row_is_named_at_once_and_the_rest_can_be_read() -> None:
    rows: list[str | None] = [None, "date", None, "url", None, "text", None]
    with pytest.raises(ContactFileError) as refused:
        read_contacts(_file(rows))  # all or nothing by default
    message = str(refused.value)
    assert message.startswith("3 rows cannot be read: line 3: 'Tuesday' is not a date")
    assert "line 5: 'https://example.org/maya' is not a LinkedIn profile URL" in message
    assert "line 7: the name" in message
    rest = read_contacts(_file(rows), keep_going=True)
    assert [c.name for c in rest.contacts] == ["Person0 Lin", "Person2 Lin", "Person4 Lin", "Person6 Lin"]
    # every wrong row as data too: its line, the field at fault, and what was wrong
    assert [(p.line, p.card, p.field) for p in rest.problems] == [
        (3, None, "Connected On"),
        (5, None, "URL"),
        (7, None, "name"),
    ]
    assert rest.problems[0].what.startswith("'Tuesday' is not a date")
    assert refused.value.rows == rest.problems


def test_one_wrong_row_reads_as_before_and_a_file_of_only_wrong_rows_is_refused_even_to_go_on() -> None:
    with pytest.raises(ContactFileError, match=r"^line 2: 'Tuesday' is not a date \(like"):
        read_contacts(_file(["date", None]))
    with pytest.raises(ContactFileError, match=r"^2 rows cannot be read"):
        read_contacts(_file(["date", "url"]), keep_going=True)  # nothing would be left to import


def test_a_vcard_without_a_name_is_left_out_and_the_other_cards_read() -> None:
    cards = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nORG:Nobody Inc\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo Chen\r\nX-CONNECTED-ON:someday\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cy Diaz\r\nEND:VCARD\r\n"
    )
    found = read_contacts(cards.encode(), keep_going=True)
    assert [c.name for c in found.contacts] == ["Ann Lee", "Cy Diaz"]
    assert [(p.card, p.line, p.field) for p in found.problems] == [(2, 5, "FN"), (3, 9, "X-CONNECTED-ON")]
    assert tuple(map(str, found.problems)) == (
        "card 2 (line 5): the card has no name (FN or N) and no email",
        "card 3 (line 9): 'someday' is not a date (like 12 Nov 2023 or 2023-11-12)",
    )


@given(st.lists(st.sampled_from([None, None, "date", "url", "text"]), min_size=1, max_size=60))
def test_the_rest_is_exactly_the_readable_rows_and_every_wrong_one_is_named(rows: list[str | None]) -> None:
    wrong_lines = [f"line {i + 2}" for i, w in enumerate(rows) if w]
    good = [f"Person{i} Lin" for i, w in enumerate(rows) if not w]
    if not wrong_lines:
        assert [c.name for c in read_contacts(_file(rows)).contacts] == good
        return
    with pytest.raises(ContactFileError) as refused:
        read_contacts(_file(rows))
    named = re.findall(r"line \d+(?=:)", str(refused.value))
    assert named == wrong_lines[:MAX_NAMED]  # the first ones by name, the others counted
    if len(wrong_lines) > MAX_NAMED:
        assert str(refused.value).endswith(f"and {len(wrong_lines) - MAX_NAMED} more")
    if good:
        rest = read_contacts(_file(rows), keep_going=True)
        assert [c.name for c in rest.contacts] == good
        assert [p.where for p in rest.problems] == wrong_lines
