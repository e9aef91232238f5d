"""CalDAV discovery's pure parts: what a person types becomes the URL to start from (a preset, a
bare domain, a URL), bad input is named; and the `caldav` package's multistatus reader, over the
guarded transport's answer, gives what the provider relies on (relative or absolute hrefs, a 404
for a removed member, the new sync-token, privileges), its errors named with their status."""

from __future__ import annotations

import pytest
from caldav.davclient import DAVResponse
from caldav.elements import dav
from caldav.lib import error as dav_error

from domain.calendars.calendar_port import ProviderError
from integrations.caldav import dav_xml
from integrations.caldav.discovery import DiscoveryError, start_url
from integrations.caldav.session import Answer
from integrations.caldav.transport import Reply, dav_errors, status_of


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


def _answer(body: bytes, content_type: str = "application/xml; charset=utf-8") -> DAVResponse:
    """The library's reader over what the guarded transport hands it."""
    return DAVResponse(Reply(Answer(207, {"content-type": content_type}, body, "https://dav.example.org/")))


def test_a_sync_answer_is_read_with_its_removed_members_and_new_token() -> None:
    """What the provider's sync relies on: paths unquoted (absolute hrefs made paths), a removed
    member present without an ETag, a property answered 404 absent, the new token kept."""
    answer = _answer(SYNC_ANSWER)
    found = answer.expand_simple_props([dav.GetEtag()])
    assert answer.sync_token == "http://example.org/sync/2"
    assert found["/ada/cal/a b.ics"] == {dav.GetEtag.tag: '"e1"'}  # no calendar-data: it was a 404
    assert found["/ada/cal/gone.ics"] == {dav.GetEtag.tag: None}
    assert "404" in answer.statuses["/ada/cal/gone.ics"]


def test_a_calendar_listing_says_what_each_holds_and_whether_it_is_writable() -> None:
    body = b"""<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:response>
      <d:href>/ada/tasks/</d:href><d:propstat><d:prop>
      <d:resourcetype><d:collection/><c:calendar/></d:resourcetype>
      <c:supported-calendar-component-set><c:comp name="VTODO"/></c:supported-calendar-component-set>
      <d:current-user-privilege-set><d:privilege><d:read/></d:privilege></d:current-user-privilege-set>
      </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
      <d:response><d:href>/ada/work/</d:href><d:propstat><d:prop>
      <d:resourcetype><d:collection/><c:calendar/></d:resourcetype>
      <d:current-user-privilege-set><d:privilege><d:write-content/></d:privilege></d:current-user-privilege-set>
      </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"""
    found = _answer(body).find_objects_and_props()
    tasks, work = found["/ada/tasks/"], found["/ada/work/"]
    assert dav_xml.is_calendar(tasks) and dav_xml.is_calendar(work)
    assert not dav_xml.holds_events(tasks) and dav_xml.holds_events(work)  # not said: it may hold any
    assert not dav_xml.writable(tasks) and dav_xml.writable(work)


_ENTITIES = '<!ENTITY a0 "xxxxxxxxxx">' + "".join(
    f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
)


@pytest.mark.parametrize(
    "doctype",
    [
        f"<!DOCTYPE d:multistatus [{_ENTITIES}]>",  # a billion laughs: 10**10 bytes from 1 kB
        '<!DOCTYPE d:multistatus [<!ENTITY a9 SYSTEM "file:///etc/hostname">]>',  # a local file
    ],
)
def test_hostile_xml_is_refused_not_expanded(doctype: str) -> None:
    """The server's XML is parsed by lxml under the library's parser (no huge_tree): entity
    amplification is refused, an external entity is not read."""
    body = f'<?xml version="1.0"?>{doctype}<d:multistatus xmlns:d="DAV:"><d:response><d:href>&a9;'
    body += "</d:href></d:response></d:multistatus>"
    with pytest.raises(ProviderError, match="could not be read"), dav_errors("listing"):
        _answer(body.encode())


def test_an_answer_that_is_not_xml_is_named() -> None:
    with pytest.raises(ProviderError, match="could not be read"), dav_errors("listing"):
        _answer(b"<html>not xml")


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (dav_error.MkcalendarError("409 Conflict\n\n<body/>"), 409),
        (dav_error.ResponseError("HTTP/1.1 403 Forbidden"), 403),
        (dav_error.AuthorizationError(url="https://x/", reason="Forbidden"), 403),
        (dav_error.NotFoundError("whatever"), 404),
        (dav_error.ReportError("no status here"), 0),
    ],
)
def test_the_status_behind_a_library_error(error: dav_error.DAVError, status: int) -> None:
    assert status_of(error) == status
    with pytest.raises(ProviderError, match=f"HTTP {status} to listing"), dav_errors("listing"):
        raise error


def test_discovery_errors_are_provider_errors() -> None:
    assert issubclass(DiscoveryError, ProviderError)
