"""CalDAV discovery's pure parts: what a person types becomes the URL to start from (a preset, a
bare domain, a URL), bad input is named; and the multistatus reader takes what servers send
(relative or absolute hrefs, a 404 for a removed member, the new sync-token, privileges)."""

from __future__ import annotations

import pytest

from domain.calendar_port import ProviderError
from integrations.caldav import dav_xml
from integrations.caldav.discovery import DiscoveryError, start_url


@pytest.mark.parametrize(
    ("server", "preset", "url"),
    [
        ("", "icloud", "https://caldav.icloud.com/"),
        ("", "fastmail", "https://caldav.fastmail.com/dav/"),
        ("cloud.example.org", "nextcloud", "https://cloud.example.org/remote.php/dav/"),
        ("https://cloud.example.org/nc/", "nextcloud", "https://cloud.example.org/remote.php/dav/"),
        ("example.org", None, "https://example.org/"),
        (" http://127.0.0.1:5232 ", None, "http://127.0.0.1:5232/"),
        ("https://dav.example.org/cal/ada/", None, "https://dav.example.org/cal/ada/"),
    ],
)
def test_where_discovery_starts(server: str, preset: str | None, url: str) -> None:
    assert start_url(server, preset) == url


@pytest.mark.parametrize(
    ("server", "preset", "words"),
    [
        ("", None, "give the CalDAV server's address"),
        ("", "nextcloud", "the nextcloud preset needs your server's address"),
        ("x", "yahoo", "unknown preset 'yahoo'"),
        ("ftp://example.org/", None, "not a CalDAV address"),
        ("https://×/", None, "not a CalDAV address"),
        ("https://example.org:99999/", None, "not a CalDAV address"),
    ],
)
def test_bad_input_is_named(server: str, preset: str | None, words: str) -> None:
    with pytest.raises(ProviderError, match=words):
        start_url(server, preset)


SYNC_ANSWER = b"""<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:response><d:href>/ada/cal/a%20b.ics</d:href>
    <d:propstat><d:prop><d:getetag>"e1"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
    <d:propstat><d:prop><c:calendar-data/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>
  </d:response>
  <d:response><d:href>https://dav.example.org/ada/cal/gone.ics</d:href>
    <d:status>HTTP/1.1 404 Not Found</d:status></d:response>
  <d:sync-token>http://example.org/sync/2</d:sync-token>
</d:multistatus>"""


def test_a_sync_answer_is_read_with_its_removed_members_and_new_token() -> None:
    read = dav_xml.read_multistatus(SYNC_ANSWER)
    assert read.sync_token == "http://example.org/sync/2"
    first, gone = read.items
    assert (first.href, first.status, first.text("d:getetag")) == ("/ada/cal/a b.ics", 200, '"e1"')
    assert "c:calendar-data" not in first.props  # a property answered 404 is absent, not empty
    assert (gone.href, gone.status) == ("https://dav.example.org/ada/cal/gone.ics", 404)


def test_a_calendar_listing_says_what_each_holds_and_whether_it_is_writable() -> None:
    body = b"""<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:response>
      <d:href>/ada/tasks/</d:href><d:propstat><d:prop>
      <d:resourcetype><d:collection/><c:calendar/></d:resourcetype>
      <c:supported-calendar-component-set><c:comp name="VTODO"/></c:supported-calendar-component-set>
      <d:current-user-privilege-set><d:privilege><d:read/></d:privilege></d:current-user-privilege-set>
      </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"""
    (item,) = dav_xml.read_multistatus(body).items
    assert dav_xml.is_calendar(item)
    assert not dav_xml.holds_events(item)
    assert not dav_xml.writable(item)


@pytest.mark.parametrize("body", [b"<html>not xml", b"<d:prop xmlns:d='DAV:'/>"])
def test_an_answer_that_is_not_a_multistatus_is_named(body: bytes) -> None:
    with pytest.raises(ProviderError, match=r"multistatus|could not be read"):
        dav_xml.read_multistatus(body)


def test_discovery_errors_are_provider_errors() -> None:
    assert issubclass(DiscoveryError, ProviderError)
