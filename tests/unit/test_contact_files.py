"""Reading real export files: LinkedIn, vCard 3.0/4.0, Google and Outlook CSV — and naming the line
or card when a file is malformed."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integrations.contact_files import ContactFileError, read_contacts
from tests.contact_exports import GOOGLE, LINKEDIN, OUTLOOK, VCARDS


def test_linkedin_connections_with_notes_preamble_and_quoted_commas() -> None:
    found = read_contacts(LINKEDIN.encode())
    assert found.source == "linkedin"
    maya, tomas, ann = found.contacts  # the all-empty row of a member who left is skipped
    assert (maya.name, maya.organisation, maya.role) == ("Maya Lin", "Green Grid, Inc.", "Head of Product")
    assert maya.linkedin_url == "linkedin.com/in/mayalin"
    assert maya.known_since == date(2019, 3, 14)
    assert maya.where == "line 5"  # notes on lines 1-3, the header on line 4
    assert (tomas.name, tomas.role, tomas.emails) == ("Tomás Ruiz", "Founder, CEO", ("tomas@solarlab.io",))
    assert ann.linkedin_url == "linkedin.com/in/annokafor"  # trailing slash dropped
    assert ann.where == "line 8"


def test_vcards_with_folded_lines_several_emails_photos_and_non_ascii_names() -> None:
    found = read_contacts(VCARDS.encode())
    assert found.source == "vcard"
    zoe, li, maya = found.contacts
    assert zoe.name == "Zoë Ødegaard"
    assert zoe.emails == ("zoe@nordlys.no", "zoe.odegaard@example.org")  # the second one was folded
    assert (zoe.organisation, zoe.role) == ("Nordlys Energi AS", "Climate Scientist")
    assert zoe.linkedin_url == "linkedin.com/in/zoeodegaard"
    assert li.name == "李小龍"
    assert li.emails == ("xiaolong@dragon.example", "xl@home.example", "xiaolong.li@alt.example")
    assert li.linkedin_url == "linkedin.com/in/xiaolongli"  # vCard 4.0 X-SOCIALPROFILE
    assert maya.name == "Maya Lin"  # no FN: the name comes from N
    assert [c.where for c in found.contacts] == ["card 1 (line 1)", "card 2 (line 30)", "card 3 (line 41)"]


def test_google_contacts_csv_with_several_emails_in_one_cell() -> None:
    found = read_contacts(GOOGLE.encode())
    assert found.source == "google"
    priya, bjorn = found.contacts  # the phone-only row has nobody to assess
    assert priya.name == "Priya Natarajan"
    assert priya.emails == ("priya@carbonwise.example", "priya.n@gmail.example", "priya@old.example")
    assert (priya.organisation, priya.role) == ("Carbonwise", "Product Lead")
    assert priya.linkedin_url == "linkedin.com/in/priyanatarajan"
    assert (bjorn.name, bjorn.emails) == ("Björn Åkesson", ("bjorn@akesson.example",))


def test_outlook_csv_skips_exchange_addresses_and_unwraps_display_forms() -> None:
    found = read_contacts(OUTLOOK.encode("utf-16"))  # Outlook writes UTF-16 with a byte-order mark
    assert found.source == "outlook"
    daniel, grace = found.contacts
    assert daniel.name == "Daniel J. Weber"
    assert daniel.emails == ("daniel.weber@sunstack.example", "dan@weber.example")
    assert (daniel.organisation, daniel.role) == ("Sunstack GmbH", "VP Engineering")
    assert grace.emails == ("grace@navy.example",)
    assert grace.linkedin_url == "linkedin.com/in/gracehopper"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (LINKEDIN + 'Bo,Chen,https://www.linkedin.com/in/bochen,,"Acme,Engineer,01 Jan 2020\r\n', "line 9"),
        (
            LINKEDIN + "Bo,Chen,https://www.linkedin.com/in/bochen,,Acme,Engineer,01 Jan 2020,x,y\r\n",
            "line 9",
        ),
        (LINKEDIN + "Bo,Chen,https://www.linkedin.com/in/bochen,,Acme,Engineer,someday\r\n", "line 9"),
        (LINKEDIN.replace("https://www.linkedin.com/in/mayalin", "https://example.com/maya"), "line 5"),
        (
            VCARDS.replace("EMAIL:xiaolong.li@alt.example", "EMAIL xiaolong.li@alt.example"),
            "card 2 (line 30): not a valid vCard, line 36",
        ),
        (
            VCARDS.replace("FN:李小龍\r\nN:李;小龍;;;\r\n", "")
            .replace("EMAIL;TYPE=work:xiaolong@dragon.example\r\n", "")
            .replace("EMAIL;TYPE=home:xl@home.example\r\n", "")
            .replace("EMAIL:xiaolong.li@alt.example\r\n", ""),
            "card 2 (line 30): the card has no name",
        ),
        (
            VCARDS.replace("PHOTO;ENCODING=b;TYPE=JPEG:", "PHOTO;ENCODING=b;TYPE=JPEG:A"),
            "card 1 (line 1): not a valid vCard",
        ),
        ("  \n", "the file is empty"),
        ("Name,Phone\nAnn,123\n", "not a contacts export"),
    ],
    ids=[
        "unterminated-quote",
        "extra-fields",
        "bad-date",
        "not-a-linkedin-url",
        "bad-vcard-line",
        "nameless-card",
        "broken-photo",
        "empty",
        "unknown-format",
    ],
)
def test_a_malformed_file_names_the_line_or_card(text: str, message: str) -> None:
    with pytest.raises(ContactFileError, match=re.escape(message)):
        read_contacts(text.encode())


def _vcard(name: str) -> str:
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nEMAIL:p@example.org\r\nEND:VCARD\r\n"


def test_thousands_of_nested_cards_are_refused_naming_the_card_in_bounded_time() -> None:
    depth = 5000
    nested = _vcard("Ann") + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\n" * depth + "END:VCARD\r\n" * depth
    started = time.monotonic()
    with pytest.raises(
        ContactFileError, match=r"^card 2 \(line 6\): components nested more than 2 deep \(line 12\)"
    ):
        read_contacts(nested.encode())
    assert time.monotonic() - started < 2
    # A folded BEGIN is a BEGIN as vobject reads it.
    folded = "\r\n".join(
        ("BEGIN:VCARD", "FN:a", "BEGIN:VCA", " RD", "BEGIN:VCARD", "FN:b", *["END:VCARD"] * 3)
    )
    with pytest.raises(ContactFileError, match=r"^card 1 \(line 1\): .* \(line 5\)"):
        read_contacts(folded.encode())


def test_one_card_inside_a_card_is_still_read() -> None:
    """vCard 2.1's AGENT: a card inside a card, as deep as real files go."""
    lines = (
        "BEGIN:VCARD",
        "VERSION:2.1",
        "FN:Ann",
        "AGENT:",
        "BEGIN:VCARD",
        "FN:Bob",
        "END:VCARD",
        "END:VCARD",
    )
    agent = "\r\n".join(lines) + "\r\n"
    assert [c.name for c in read_contacts(agent.encode()).contacts] == ["Ann"]


_FORMATS_WITH_A_NAME = {
    "linkedin": (
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n{x},Lee,,,Acme,CTO,\r\n",
        "line 2",
    ),
    "google": (
        "Name,Given Name,E-mail 1 - Value,Organization 1 - Name\r\n{x},Ann,ann@example.org,Acme\r\n",
        "line 2",
    ),
    "outlook": ("First Name,Last Name,E-mail Address,Job Title\r\n{x},Lee,ann@example.org,CTO\r\n", "line 2"),
    "vcard": ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{x}\r\nEND:VCARD\r\n", "card 1 (line 1)"),
}


@pytest.mark.parametrize("source", sorted(_FORMATS_WITH_A_NAME))
@given(before=st.text(max_size=5), after=st.text(max_size=5))
@settings(max_examples=25, deadline=None)
def test_a_nul_character_is_refused_by_every_format_as_by_the_api(
    source: str, before: str, after: str
) -> None:
    """The JSON API's rule for text (domain/guards/text.py), whatever format the text came in."""
    clean = "".join(c for c in before + after if c.isalnum()) or "Ann"
    template, where = _FORMATS_WITH_A_NAME[source]
    assert read_contacts(template.format(x=clean).encode(), source).contacts  # the file reads without it
    with pytest.raises(
        ContactFileError, match=rf"^{re.escape(where)}: the name must not contain NUL characters$"
    ):
        read_contacts(template.format(x=f"{clean[:2]}\x00{clean[2:]}").encode(), source)
