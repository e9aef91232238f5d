"""Discovery against a real Radicale: from the server's root, from its `/.well-known/caldav`
(RFC 6764: a redirect, followed with the method kept) and from the calendar home itself, to the same
principal and home; wrong addresses are named."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from domain.calendars.calendar_port import ProviderError
from integrations.caldav.discovery import find_home, list_calendars, start_url
from integrations.caldav.session import Session
from tests.caldav.conftest import new_calendar
from tests.caldav.servers import Server

BERLIN = ZoneInfo("Europe/Berlin")


def _session(server: Server) -> Session:
    return Session(server.username, server.password, allow_private=True)


@pytest.mark.parametrize("path", ["", ".well-known/caldav", "ada/"])
def test_every_start_leads_to_the_same_home(radicale_server: Server, path: str) -> None:
    mine = new_calendar(radicale_server)
    home = find_home(_session(radicale_server), start_url(radicale_server.base_url + path))
    assert home.home == radicale_server.home_url
    assert home.principal.endswith(f"/{radicale_server.username}/")
    assert mine.calendar_url in {c.calendar_id for c in list_calendars(_session(radicale_server), home.home)}
    mine.close()


def test_a_server_that_is_not_caldav_is_named(radicale_server: Server) -> None:
    with pytest.raises(ProviderError, match=r"HTTP 404|no CalDAV account was found"):
        find_home(_session(radicale_server), radicale_server.base_url + "nothing/here/")


def test_a_loopback_server_is_refused_without_the_setting(radicale_server: Server) -> None:
    strict = Session(radicale_server.username, radicale_server.password)
    with pytest.raises(ProviderError, match="private"):
        find_home(strict, radicale_server.base_url)
