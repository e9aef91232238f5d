"""The mail bytes `integrations/mail/smtp.py` writes itself (`_wire`, issue 26) are the bytes smtplib's
`send_message` writes for the same mail built with the email package: the same envelope, headers,
parts, encodings and line ends, for any text (same Date, same random boundary)."""

from __future__ import annotations

import random
import smtplib
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integrations.mail import smtp

DATE = "Mon, 07 Dec 2026 06:05:00 -0000"


class Capture:
    """Stands in for the SMTP connection: what `send_message` hands to `sendmail`."""

    def __init__(self) -> None:
        self.sent: tuple[str, list[str], bytes] | None = None

    def ehlo_or_helo_if_needed(self) -> None:
        pass

    def sendmail(self, sender: str, to: list[str], message: bytes, *options: Any) -> dict[str, Any]:
        assert not any(options)  # no SMTPUTF8: the fast path only writes ASCII envelopes
        self.sent = sender, list(to), message
        return {}


def by_email_package(mail: smtp.Mail) -> tuple[str, list[str], bytes]:
    capture = Capture()
    random.seed(26)
    smtplib.SMTP.send_message(capture, smtp._message(mail))  # type: ignore[arg-type]
    assert capture.sent is not None
    return capture.sent


def written(mail: smtp.Mail) -> tuple[str, list[str], bytes] | None:
    random.seed(26)
    return smtp._wire(mail)


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(smtp, "formatdate", lambda **_options: DATE)


def digest_mail(subject: str, text: str, html: str, to: str = "person1@bench.test") -> smtp.Mail:
    delivery = "0b7d5f0e-8a4e-5c3e-9d0f-5b1c2d3e4f50"
    unsubscribe = "https://netgoals.example/updates/unsubscribe?token=" + "a1B2-_" * 30
    return smtp.Mail(
        sender="netgoals <updates@netgoals.example>",
        to=to,
        subject=subject,
        text=text,
        html=html,
        message_id=f"<{delivery}@netgoals>",
        headers=(
            ("List-Unsubscribe", f"<{unsubscribe}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ("X-Netgoals-Delivery", delivery),
        ),
    )


def test_a_digest_is_written_as_the_email_package_writes_it() -> None:
    text = "YOUR WEEK\nGoal 0 — met ✓\n" + "x" * 120 + "\n\nBye\n"
    html = "<p>Goal 0 &mdash; met</p>\n" + "<td>" * 40 + "\n"
    mail = digest_mail("Your networking week: 30 Nov – 06 Dec 2026", text, html)
    assert written(mail) == by_email_package(mail)


def test_what_it_does_not_write_is_left_to_the_email_package() -> None:
    plain = digest_mail("Subject", "text\n", "<p>html</p>\n")
    assert written(plain) is not None
    assert written(smtp.Mail("a@b.test", "c@d.test", "Confirm", "link\n", None, "<x@netgoals>")) is None
    assert written(digest_mail("S", "t\n", "<p/>\n", to="Person One <p1@bench.test>")) is None
    with_cc = smtp.Mail("a@b.test", "c@d.test", "S", "t\n", "<p/>\n", "<x@netgoals>", (("Cc", "e@f.test"),))
    assert written(with_cc) is None  # another recipient: the envelope is the email package's to make


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400)
lines = st.lists(
    st.one_of(texts, st.sampled_from(["", "--", "From here", "=?utf-8?q?x?=", " lead", "trail ", "\r"])),
    max_size=12,
).map("\n".join)
header_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=120)
addresses = st.one_of(
    st.sampled_from(["person1@bench.test", "a.b+c@x-y.example", "Person <p@x.test>", "bad@", "é@x.test"]),
    st.emails().map(str),
)


@settings(max_examples=300, deadline=None)
@given(subject=header_text, text=lines, html=lines, to=addresses)
def test_any_mail_is_written_as_the_email_package_writes_it(
    subject: str, text: str, html: str, to: str
) -> None:
    mail = digest_mail(subject, text, html, to)
    expected: object
    found: object
    try:
        expected = by_email_package(mail)
    except Exception as refused:  # whatever it refuses, the fast path must refuse too
        expected = refused
    try:
        found = written(mail)
    except Exception as refused:
        found = refused
    if found is None:
        return  # left to the email package
    if isinstance(expected, Exception):
        assert type(found) is type(expected)
    else:
        assert found == expected


def test_a_boundary_the_parts_hold_is_chosen_as_the_package_chooses() -> None:
    random.seed(26)
    token = "=" * 15 + f"{random.randrange(sys.maxsize):0{len(repr(sys.maxsize - 1))}d}" + "=="
    mail = digest_mail("S", f"a\n--{token}\n--{token}.0--\n", "<p/>\n")
    # The parts hold lines that start with the drawn boundary (CRLF ends, which the package's
    # check passes over): the two still choose alike.
    assert written(mail) == by_email_package(mail)
