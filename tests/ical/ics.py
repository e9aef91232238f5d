"""Small iCalendar documents written by hand for the tests."""

from __future__ import annotations


def vevent(
    uid: str,
    start: str,
    end: str,
    summary: str,
    *,
    partstat: str | None = "ACCEPTED",
    me: str = "ada@example.com",
    organizer: str | None = None,
    extra: str = "",
) -> str:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20261101T000000Z",
        f"DTSTART:{start}",
        f"DTEND:{end}",
        f"SUMMARY:{summary}",
    ]
    if organizer:
        lines.append(f"ORGANIZER:mailto:{organizer}")
    if partstat:
        lines.append(f"ATTENDEE;PARTSTAT={partstat};CN=Ada:mailto:{me}")
    lines.append("ATTENDEE;PARTSTAT=ACCEPTED;CN=Bo:mailto:bo@other.org")
    if extra:
        lines.extend(extra.strip().splitlines())
    lines.append("END:VEVENT")
    return "\r\n".join(lines)


def vcalendar(*events: str, header: str = "") -> bytes:
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//EN"]
    if header:
        head.extend(header.strip().splitlines())
    return ("\r\n".join([*head, *events, "END:VCALENDAR"]) + "\r\n").encode()
