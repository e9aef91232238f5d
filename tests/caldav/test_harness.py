"""The harness itself, on both real servers: the person's client does what the contract suite
relies on (attendees and replies, a series with EXDATE and an override, moves across a DST change,
cancel, delete, a 412 on a stale ETag, WebDAV sync), and a wrong password is refused."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from tests.caldav.servers import Server
from tests.caldav.user_client import Attendee, PreconditionFailedError, UserClient, event, local

ADA = "ada@example.org"


@pytest.fixture(params=["radicale", "xandikos"])
def user(request: pytest.FixtureRequest) -> UserClient:
    client: UserClient = request.getfixturevalue(f"{request.param}_user")
    return client


def test_an_invitation_and_the_persons_reply_round_trip(user: UserClient) -> None:
    stored = user.add(
        event(
            "Python meetup",
            local(2026, 11, 12, 19),
            organizer="host@example.org",
            attendees=[Attendee(ADA, "NEEDS-ACTION"), Attendee("host@example.org", "ACCEPTED")],
        )
    )
    replied = user.reply(stored, ADA, "TENTATIVE")
    assert replied.etag != stored.etag
    assert replied.partstat(ADA) == "TENTATIVE"


def test_a_series_with_an_exdate_and_an_override_is_one_object(user: UserClient) -> None:
    first = local(2026, 10, 6, 18)  # weekly across the end of summer time (25 October in Berlin)
    stored = user.recurring("Tuesday club", first, 6, excluded=[1], overridden={3: timedelta(hours=2)})
    (found,) = user.objects()
    assert found.uid == stored.uid
    assert len(found.events) == 2  # the series and the moved instance
    override = next(e for e in found.events if "RECURRENCE-ID" in e)
    assert override.decoded("RECURRENCE-ID") == local(2026, 10, 27, 18)  # after the change: still 18:00
    assert found.exdates() == [local(2026, 10, 13, 18)]


def test_moving_across_a_dst_change_keeps_the_wall_clock_zone(user: UserClient) -> None:
    stored = user.add(event("Block", local(2026, 10, 24, 9), local(2026, 10, 24, 10)))
    moved = user.move(stored, local(2026, 10, 26, 9))
    start = moved.master.decoded("DTSTART")
    assert start == local(2026, 10, 26, 9)
    assert str(start.tzinfo) == "Europe/Berlin"
    assert moved.master.decoded("DTEND") - start == timedelta(hours=1)


def test_a_write_on_a_stale_etag_is_refused_with_412(user: UserClient) -> None:
    stored = user.add(event("Block", local(2026, 11, 20, 9)))
    user.rename(stored, "Block (mine now)")
    with pytest.raises(PreconditionFailedError):
        user.move(stored, local(2026, 11, 20, 11))  # the ETag read before the rename
    with pytest.raises(PreconditionFailedError):
        user.delete(stored)
    assert str(user.objects()[0].master["SUMMARY"]) == "Block (mine now)"


def test_cancel_and_delete(user: UserClient) -> None:
    kept = user.cancel(user.add(event("Dinner", local(2026, 11, 21, 19))))
    user.delete(user.add(event("Lunch", local(2026, 11, 22, 12))))
    (left,) = user.objects()
    assert left.uid == kept.uid and str(left.master["STATUS"]) == "CANCELLED"


def test_webdav_sync_lists_only_what_changed_since_a_token(user: UserClient) -> None:
    first = user.add(event("One", local(2026, 11, 2, 9)))
    status, token, hrefs = user.sync_collection()
    assert status == 207 and token and hrefs == [first.href]
    second = user.add(event("Two", local(2026, 11, 3, 9)))
    status, _token, hrefs = user.sync_collection(token)
    assert status == 207 and hrefs == [second.href]


def test_radicale_refuses_a_wrong_password(radicale_server: Server) -> None:
    answer = httpx.request(
        "PROPFIND", radicale_server.home_url, auth=(radicale_server.username, "wrong"), headers={"Depth": "0"}
    )
    assert answer.status_code == 401


def test_xandikos_is_served_over_https_with_the_made_certificate(xandikos_server: Server) -> None:
    assert xandikos_server.base_url.startswith("https://")
    with pytest.raises(httpx.ConnectError):  # not trusted without the certificate
        httpx.request("PROPFIND", xandikos_server.home_url, headers={"Depth": "0"})
