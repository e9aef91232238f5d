"""Bad sources through a real local HTTP server: each one stores a clear error on the source, the
log gains nothing (no partial append), and a good read afterwards works. Private addresses are
refused unless allowed, redirects to them too."""

from __future__ import annotations

import pytest

from domain.errors import DomainError
from integrations.ical.fetch import Fetcher, FetchError
from service import ical
from service.settings import Settings
from tests.ical.calendar_server import CalendarServer, Route
from tests.ical.conftest import World
from tests.ical.ics import vcalendar, vevent

GOOD = vcalendar(
    vevent("c1@x", "20261120T090000Z", "20261120T093000Z", "Coffee chat with Bo"),
    vevent("m1@x", "20261118T170000Z", "20261118T190000Z", "Python Meetup Berlin"),
)


def _cases(server: CalendarServer) -> dict[str, tuple[Route, str]]:
    return {
        "malformed": (
            Route(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nX\r\nEND:VCALENDAR\r\n"),
            "malformed",
        ),
        "truncated": (Route(GOOD[: len(GOOD) // 2]), "truncated"),
        "huge": (Route(stream_bytes=20 * 1024 * 1024), "limit"),
        "huge-declared": (Route(b"x" * (11 * 1024 * 1024)), "over the"),
        "html": (
            Route(b"<!DOCTYPE html><html><body>Sign in</body></html>", content_type="text/html"),
            "HTML page",
        ),
        "html-as-calendar": (
            Route(b"\n<html><head></head></html>", content_type="text/calendar"),
            "HTML page",
        ),
        "loop": (Route(status=302, location="/loop"), "redirects"),
        "slow": (Route(GOOD, delay=3.0), "did not answer"),
        "latin1-declared-utf8": (
            Route(
                GOOD.replace(b"Coffee", "Café".encode("latin-1")), content_type="text/calendar; charset=utf-8"
            ),
            "not valid utf-8",
        ),
        "bad-charset": (Route(GOOD, content_type="text/calendar; charset=klingon"), "unknown character set"),
        "not-found": (Route(b"gone", status=404), "HTTP 404"),
        "empty": (Route(b""), "no BEGIN:VCALENDAR"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "malformed",
        "truncated",
        "huge",
        "huge-declared",
        "html",
        "html-as-calendar",
        "loop",
        "slow",
        "latin1-declared-utf8",
        "bad-charset",
        "not-found",
        "empty",
    ],
)
def test_a_bad_source_stores_a_clear_error_and_appends_nothing(
    world: World, server: CalendarServer, case: str
) -> None:
    route, words = _cases(server)[case]
    server.routes[f"/{case}"] = route
    source = ical.add_source(world.app, world.settings, world.user_id, server.url(f"/{case}"))
    before = world.events()
    report = ical.sync_source(world.app, world.settings, source.source_id)
    assert report.status == "error"
    assert report.error is not None and words.lower() in report.error.lower(), report.error
    assert world.events() == before
    stored = ical.get_source(world.app, world.user_id, source.source_id)
    assert stored.last_status == "error" and stored.last_error == report.error
    # Fixed at the other end: the next read works and clears the error.
    server.routes[f"/{case}"] = Route(GOOD)
    world.clock.advance(minutes=30)
    assert ical.sync_source(world.app, world.settings, source.source_id).status == "ok"
    assert ical.get_source(world.app, world.user_id, source.source_id).last_error is None
    assert world.events() == before + 2


def test_private_addresses_are_refused_unless_allowed(world: World, server: CalendarServer) -> None:
    server.routes["/cal.ics"] = Route(GOOD)
    strict = Settings(home=world.settings.home, allow_private_sources=False)
    # Written as a private address: refused at once, nothing stored.
    for url in (server.url("/cal.ics"), "http://[::ffff:10.0.0.1]/c.ics", "webcal://169.254.169.254/c.ics"):
        with pytest.raises(
            DomainError, match=r"refused: .*the address is private.*NETGOALS_ALLOW_PRIVATE_SOURCES"
        ):
            ical.add_source(world.app, strict, world.user_id, url)
    assert ical.list_sources(world.app, world.user_id) == []
    # Added while allowed, read when no longer: refused at the read, before connecting.
    source = ical.add_source(world.app, world.settings, world.user_id, server.url("/cal.ics"))
    report = ical.sync_source(world.app, strict, source.source_id)
    assert report.status == "error" and "the address is private" in (report.error or "")
    assert "NETGOALS_ALLOW_PRIVATE_SOURCES" in (report.error or "")
    assert server.requests == []  # refused before connecting


def test_a_redirect_to_a_refused_address_is_refused(server: CalendarServer) -> None:
    # The policy here lets 127.0.0.1 stand in for a public host, and 127.0.0.2 for a private one.
    server.routes["/cal.ics"] = Route(status=302, location=server.url("/x").replace("127.0.0.1", "127.0.0.2"))
    fetcher = Fetcher(policy=lambda address: address == "127.0.0.1", timeout=3)
    with pytest.raises(FetchError, match=r"refused: '127\.0\.0\.2'"):
        fetcher.fetch(server.url("/cal.ics"))
    assert [path for path, _ in server.requests] == ["/cal.ics"]


def test_a_name_for_a_private_address_is_refused_without_telling_the_address(server: CalendarServer) -> None:
    # An error that named the address would let anyone map the internal DNS through the service.
    server.routes["/cal.ics"] = Route(GOOD)
    with pytest.raises(FetchError, match="refused: 'localhost': the address is private") as refused:
        Fetcher(timeout=3).fetch(server.url("/cal.ics").replace("127.0.0.1", "localhost"))
    assert "127.0.0.1" not in str(refused.value) and "::1" not in str(refused.value)
    assert server.requests == []


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x.ics", "file:///etc/passwd", "example.com/x.ics", "https://"]
)
def test_only_http_and_webcal_addresses_are_accepted(world: World, url: str) -> None:
    from service.commands import DomainError

    with pytest.raises(DomainError):
        ical.add_source(world.app, world.settings, world.user_id, url)


def test_webcal_means_https() -> None:
    from integrations.ical.fetch import normalize_url

    assert normalize_url("webcal://example.com/a.ics") == "https://example.com/a.ics"
