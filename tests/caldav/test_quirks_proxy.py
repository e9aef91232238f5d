"""The quirks proxy does what the services it imitates do, one quirk per test, and with every quirk
off it is transparent. (How netgoals copes with each quirk is in test_contract.py.)"""

from __future__ import annotations

import uuid

import httpx

from tests.caldav.quirks_proxy import QuirksProxy
from tests.caldav.user_client import UserClient, calendar_of, event, local

FREE_BUSY = (
    '<c:free-busy-query xmlns:c="urn:ietf:params:xml:ns:caldav">'
    '<c:time-range start="20261101T000000Z" end="20261201T000000Z"/></c:free-busy-query>'
)


def _user(proxy: QuirksProxy) -> UserClient:
    client = UserClient.for_server(proxy.server)
    client.make_calendar(f"cal-{uuid.uuid4().hex[:10]}")
    return client


def test_with_every_quirk_off_the_proxy_is_transparent(quirks: QuirksProxy) -> None:
    user = _user(quirks)
    stored = user.add(event("Through the proxy", local(2026, 11, 5, 10)))
    assert user.find(stored.uid) is not None
    assert [s.method for s in quirks.seen()][:2] == ["MKCALENDAR", "PUT"]


def test_no_mkcalendar_answers_403_or_405(quirks: QuirksProxy) -> None:
    quirks.quirks.no_mkcalendar = True
    client = UserClient.for_server(quirks.server)
    for status in (403, 405):
        quirks.quirks.mkcalendar_status = status
        answer = client.http.request("MKCALENDAR", f"{quirks.server.home_url}netgoals-{status}/")
        assert answer.status_code == status
    assert not [url for url in client.calendars() if "/netgoals-" in url]  # nothing made behind the refusal


def test_no_free_busy_answers_501_and_other_reports_pass(quirks: QuirksProxy) -> None:
    user = _user(quirks)
    user.add(event("Busy", local(2026, 11, 5, 10)))
    headers = {"Content-Type": "application/xml", "Depth": "1"}
    assert (
        user.http.request("REPORT", user.calendar_url, content=FREE_BUSY, headers=headers).status_code == 200
    )
    quirks.quirks.no_freebusy = True
    assert (
        user.http.request("REPORT", user.calendar_url, content=FREE_BUSY, headers=headers).status_code == 501
    )
    quirks.quirks.freebusy_status = 403
    assert (
        user.http.request("REPORT", user.calendar_url, content=FREE_BUSY, headers=headers).status_code == 403
    )
    assert len(user.objects()) == 1  # a calendar-query still works


def test_a_sync_answer_with_extra_items_lists_unchanged_objects_too(quirks: QuirksProxy) -> None:
    user = _user(quirks)
    first = user.add(event("One", local(2026, 11, 2, 9)))
    _status, token, _hrefs = user.sync_collection()
    second = user.add(event("Two", local(2026, 11, 3, 9)))
    quirks.quirks.sync_extra = True
    status, new_token, hrefs = user.sync_collection(token)
    assert status == 207 and new_token and new_token != token
    assert sorted(hrefs) == sorted([second.href, first.href, second.href])  # the change, then everything


def test_an_invalidated_sync_token_answers_403_valid_sync_token(quirks: QuirksProxy) -> None:
    user = _user(quirks)
    user.add(event("One", local(2026, 11, 2, 9)))
    _status, token, _hrefs = user.sync_collection()
    quirks.quirks.sync_invalid = True
    body = (
        f'<d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token>'
        "<d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"
    )
    answer = user.http.request(
        "REPORT", user.calendar_url, content=body, headers={"Content-Type": "application/xml"}
    )
    assert answer.status_code == 403 and b"valid-sync-token" in answer.content
    status, fresh, hrefs = user.sync_collection("")  # a sync from scratch still works
    assert status == 207 and fresh and len(hrefs) == 1


def test_503_and_429_carry_retry_after_then_requests_pass_again(quirks: QuirksProxy) -> None:
    user = _user(quirks)
    quirks.fail_next(503, 1, retry_after=2)
    quirks.fail_next(429, 2, retry_after=1)
    answers = [user.http.request("PROPFIND", user.calendar_url, headers={"Depth": "0"}) for _ in range(4)]
    assert [a.status_code for a in answers] == [503, 429, 429, 207]
    assert [a.headers.get("retry-after") for a in answers[:3]] == ["2", "1", "1"]


def test_a_put_answer_without_an_etag(quirks: QuirksProxy) -> None:
    user = _user(quirks)
    quirks.quirks.no_put_etag = True
    calendar_text = event("No ETag", local(2026, 11, 6, 9))
    answer = user.http.put(
        user.href_of(str(calendar_text["UID"])),
        content=calendar_of(calendar_text).to_ical(),
        headers={"Content-Type": "text/calendar", "If-None-Match": "*"},
    )
    assert answer.status_code == 201 and "etag" not in answer.headers
    assert user.objects()[0].etag  # the ETag is there for whoever reads it back


def test_credentials_reach_the_server_behind(quirks: QuirksProxy) -> None:
    answer = httpx.request("PROPFIND", quirks.server.home_url, auth=("ada", "wrong"), headers={"Depth": "0"})
    assert answer.status_code == 401


def test_a_held_request_waits_at_the_proxy_then_reaches_the_server(quirks: QuirksProxy) -> None:
    import threading

    user = _user(quirks)
    held = quirks.hold("PUT", nth=2)
    user.add(event("First", local(2026, 11, 6, 9)))  # the first PUT passes
    second = threading.Thread(target=user.add, args=(event("Second", local(2026, 11, 7, 9)),))
    second.start()
    assert held.arrived.wait(10)
    assert [str(o.master["SUMMARY"]) for o in user.objects()] == ["First"]  # not there yet
    held.release.set()
    second.join(10)
    assert sorted(str(o.master["SUMMARY"]) for o in user.objects()) == ["First", "Second"]
