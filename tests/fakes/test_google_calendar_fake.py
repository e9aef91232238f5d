"""The Google Calendar fake, exercised through the real google-api-python-client and
google-auth-oauthlib over real HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest
from oauthlib.oauth2.rfc6749.errors import (  # type: ignore[import-untyped,unused-ignore]
    InvalidGrantError,
)

from tests.fakes.google_calendar import GoogleCalendarFake

S = "https://www.googleapis.com/auth/"
APP_SCOPES = [S + "calendar.app.created", S + "calendar.events.owned.readonly"]
ADA = "ada@example.org"
REDIRECT = "http://127.0.0.1:8123/oauth/callback"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[GoogleCalendarFake]:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    with GoogleCalendarFake() as server:
        server.add_user(ADA, time_zone="Europe/Berlin")
        yield server


def start_flow(fake: GoogleCalendarFake, scopes: list[str]) -> tuple[Flow, str]:
    """Authorization request + auto-approved consent; returns the flow and the code."""
    flow = Flow.from_client_config(
        fake.client_config(REDIRECT),
        scopes=scopes,
        redirect_uri=REDIRECT,
        autogenerate_code_verifier=True,
    )
    url, state = flow.authorization_url(access_type="offline", include_granted_scopes="true")
    answer = httpx.get(url)
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(REDIRECT)
    params = dict(parse_qsl(urlsplit(location).query))
    assert params["state"] == state
    return flow, params["code"]


def connect(fake: GoogleCalendarFake, scopes: list[str] | None = None) -> Credentials:
    flow, code = start_flow(fake, scopes or APP_SCOPES)
    flow.fetch_token(code=code)
    creds: Credentials = flow.credentials
    return creds


def calendar(fake: GoogleCalendarFake, creds: Credentials) -> Any:
    return build(
        "calendar",
        "v3",
        credentials=creds,
        static_discovery=True,
        client_options={"api_endpoint": fake.api_url},
        cache_discovery=False,
    )


def timed(start: datetime, minutes: int = 60) -> dict[str, Any]:
    return {
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": (start + timedelta(minutes=minutes)).isoformat()},
    }


def refresh(creds: Credentials) -> None:
    untyped: Any = creds
    untyped.refresh(Request())


def reason(error: HttpError) -> str:
    details: list[dict[str, str]] = error.error_details
    return details[0]["reason"]


def no_wait(request: Any) -> Any:
    """googleapiclient sleeps rand() * 2**n seconds between retries; make that zero."""
    request._rand = lambda: 0.0
    return request


T0 = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


# ---------------------------------------------------------------------------- OAuth


def test_code_flow_with_pkce_and_refresh_token(fake: GoogleCalendarFake) -> None:
    flow, code = start_flow(fake, APP_SCOPES)
    token = flow.fetch_token(code=code)
    assert token["refresh_token"]
    assert sorted(token["scope"]) == sorted(APP_SCOPES)
    creds = flow.credentials
    assert creds.token
    assert creds.refresh_token
    # the code is single-use
    with pytest.raises(InvalidGrantError):
        flow.fetch_token(code=code)


def test_refresh_token_only_on_first_consent_or_prompt(fake: GoogleCalendarFake) -> None:
    connect(fake)
    flow, code = start_flow(fake, APP_SCOPES)
    assert "refresh_token" not in flow.fetch_token(code=code)
    flow, _ = start_flow(fake, APP_SCOPES)
    url, _ = flow.authorization_url(access_type="offline", prompt="consent", state="st")
    location = httpx.get(url).headers["location"]
    token = flow.fetch_token(code=dict(parse_qsl(urlsplit(location).query))["code"])
    assert token["refresh_token"]


def test_wrong_code_verifier_is_rejected(fake: GoogleCalendarFake) -> None:
    flow, code = start_flow(fake, APP_SCOPES)
    flow.code_verifier = "x" * 64
    with pytest.raises(InvalidGrantError):
        flow.fetch_token(code=code)


def test_authorize_validates_the_request(fake: GoogleCalendarFake) -> None:
    base = {
        "client_id": fake.client_id,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": " ".join(APP_SCOPES),
        "state": "s1",
    }
    answer = httpx.get(fake.auth_uri, params=base)  # no PKCE challenge
    assert "error=invalid_request" in answer.headers["location"]
    answer = httpx.get(fake.auth_uri, params={**base, "client_id": "nope"})
    assert answer.status_code == 401
    answer = httpx.get(fake.auth_uri, params={**base, "redirect_uri": "https://evil.example/cb"})
    assert answer.status_code == 400


def test_refresh_and_expired_access_token(fake: GoogleCalendarFake) -> None:
    creds = connect(fake)
    old = creds.token
    refresh(creds)
    assert creds.token != old
    service = calendar(fake, creds)
    fake.expire_access_tokens(ADA)
    fake.clear_requests()
    service.events().list(calendarId="primary").execute()  # 401, refresh, retry
    assert fake.count_requests(path="^/token$") == 1
    assert fake.count_requests() == 2


def test_revoke_then_401(fake: GoogleCalendarFake) -> None:
    creds = connect(fake)
    service = calendar(fake, creds)
    service.events().list(calendarId="primary").execute()
    assert httpx.post(fake.revoke_uri, params={"token": creds.token}).status_code == 200
    raw = httpx.get(
        fake.api_url + "calendars/primary/events",
        headers={"Authorization": f"Bearer {creds.token}"},
    )
    assert raw.status_code == 401
    assert raw.json()["error"]["errors"][0]["reason"] == "authError"
    with pytest.raises(RefreshError, match="invalid_grant"):
        service.events().list(calendarId="primary").execute()


def test_injected_invalid_grant_on_refresh(fake: GoogleCalendarFake) -> None:
    creds = connect(fake)
    fake.inject_fault("invalid_grant")
    with pytest.raises(RefreshError):
        refresh(creds)
    refresh(creds)  # only once


# ---------------------------------------------------------------------------- scopes


def test_scopes_are_enforced(fake: GoogleCalendarFake) -> None:
    only_app = calendar(fake, connect(fake, [S + "calendar.app.created"]))
    with pytest.raises(HttpError) as listing:
        only_app.calendarList().list().execute()
    assert listing.value.status_code == 403
    assert reason(listing.value) == "insufficientPermissions"
    with pytest.raises(HttpError) as primary:
        only_app.events().list(calendarId="primary").execute()
    assert primary.value.status_code == 403
    own = only_app.calendars().insert(body={"summary": "Networking goals"}).execute()
    assert own["id"].endswith("@group.calendar.google.com")
    only_app.events().insert(calendarId=own["id"], body=timed(T0)).execute()

    reader = calendar(fake, connect(fake, APP_SCOPES))
    assert reader.events().list(calendarId="primary").execute()["items"] == []
    with pytest.raises(HttpError) as write:
        reader.events().insert(calendarId="primary", body=timed(T0)).execute()
    assert write.value.status_code == 403
    other = fake.add_calendar(ADA, "Not made by the app")
    with pytest.raises(HttpError) as foreign:
        reader.events().insert(calendarId=other, body=timed(T0)).execute()
    assert foreign.value.status_code == 403


# ---------------------------------------------------------------------------- events


@pytest.fixture
def app(fake: GoogleCalendarFake) -> tuple[Any, str]:
    """A service with netgoals' scopes and the id of the calendar the app created."""
    service = calendar(fake, connect(fake))
    created = service.calendars().insert(body={"summary": "Networking goals"}).execute()
    return service, created["id"]


def test_insert_with_client_ids(fake: GoogleCalendarFake, app: tuple[Any, str]) -> None:
    service, cal = app
    body = {"id": "0123456789abcdefuv", "summary": "Meetup", **timed(T0)}
    event = service.events().insert(calendarId=cal, body=body).execute()
    assert event["id"] == body["id"]
    assert event["organizer"]["self"] is True
    assert event["creator"]["email"] == ADA
    assert event["eventType"] == "default"
    assert event["sequence"] == 0
    assert event["start"]["dateTime"] == "2024-05-06T11:00:00+02:00"  # calendar time zone

    with pytest.raises(HttpError) as bad:
        service.events().insert(calendarId=cal, body={**body, "id": "Has-Upper-W"}).execute()
    assert bad.value.status_code == 400
    assert reason(bad.value) == "invalidParameter"
    with pytest.raises(HttpError) as duplicate:
        service.events().insert(calendarId=cal, body=body).execute()
    assert duplicate.value.status_code == 409
    assert reason(duplicate.value) == "duplicate"

    service.events().delete(calendarId=cal, eventId=body["id"]).execute()
    with pytest.raises(HttpError) as reserved:
        service.events().insert(calendarId=cal, body=body).execute()
    assert reserved.value.status_code == 409
    with pytest.raises(HttpError) as gone:
        service.events().patch(calendarId=cal, eventId=body["id"], body={}).execute()
    assert gone.value.status_code == 410
    assert reason(gone.value) == "deleted"
    with pytest.raises(HttpError) as missing:
        service.events().delete(calendarId=cal, eventId="nosuchevent").execute()
    assert missing.value.status_code == 404


def test_patch_update_and_validation(app: tuple[Any, str]) -> None:
    service, cal = app
    body = {
        "id": "evt00001",
        "summary": "Coffee",
        "extendedProperties": {"private": {"netgoals": "g1", "plan": "p1"}},
        **timed(T0),
    }
    service.events().insert(calendarId=cal, body=body).execute()
    patched = (
        service.events()
        .patch(
            calendarId=cal,
            eventId="evt00001",
            body={"extendedProperties": {"private": {"plan": "p2"}}, "location": "Café"},
        )
        .execute()
    )
    assert patched["extendedProperties"]["private"] == {"netgoals": "g1", "plan": "p2"}
    assert patched["sequence"] == 1
    assert patched["summary"] == "Coffee"
    updated = (
        service.events()
        .update(calendarId=cal, eventId="evt00001", body={"summary": "Tea", **timed(T0)})
        .execute()
    )
    assert "location" not in updated
    assert updated["sequence"] == 2
    backwards = {
        "start": {"dateTime": "2024-05-06T10:00:00Z"},
        "end": {"dateTime": "2024-05-06T09:00:00Z"},
    }
    with pytest.raises(HttpError) as bad:
        service.events().insert(calendarId=cal, body=backwards).execute()
    assert bad.value.status_code == 400


def test_paging_and_incremental_sync(fake: GoogleCalendarFake, app: tuple[Any, str]) -> None:
    service, cal = app
    fake.max_page_size = 3
    for n in range(7):
        body = {"id": f"evt{n:05d}", **timed(T0 + timedelta(days=n))}
        service.events().insert(calendarId=cal, body=body).execute()

    fake.clear_requests()
    ids: list[str] = []
    page_token = None
    while True:
        page = service.events().list(calendarId=cal, pageToken=page_token).execute()
        ids += [e["id"] for e in page["items"]]
        page_token = page.get("nextPageToken")
        if page_token is None:
            sync_token = page["nextSyncToken"]
            break
        assert "nextSyncToken" not in page
    assert len(ids) == 7
    assert fake.count_requests() == 3

    fake.clear_requests()
    quiet = service.events().list(calendarId=cal, syncToken=sync_token).execute()
    assert quiet["items"] == []
    assert fake.count_requests() == 1

    service.events().patch(calendarId=cal, eventId="evt00002", body={"summary": "x"}).execute()
    fake.delete_event(ADA, "evt00004", calendar_id=cal)
    changes = service.events().list(calendarId=cal, syncToken=quiet["nextSyncToken"]).execute()
    assert [(e["id"], e["status"]) for e in changes["items"]] == [
        ("evt00002", "confirmed"),
        ("evt00004", "cancelled"),
    ]

    fake.expire_sync_tokens(ADA, cal)
    with pytest.raises(HttpError) as expired:
        service.events().list(calendarId=cal, syncToken=changes["nextSyncToken"]).execute()
    assert expired.value.status_code == 410
    assert reason(expired.value) == "fullSyncRequired"


def test_forbidden_and_unknown_parameters(app: tuple[Any, str]) -> None:
    service, cal = app
    token = service.events().list(calendarId=cal).execute()["nextSyncToken"]
    with pytest.raises(HttpError) as combined:
        service.events().list(calendarId=cal, syncToken=token, timeMin="2024-01-01T00:00:00Z").execute()
    assert combined.value.status_code == 400
    with pytest.raises(HttpError) as ordering:
        service.events().list(calendarId=cal, orderBy="startTime").execute()
    assert ordering.value.status_code == 400
    request = service.events().list(calendarId=cal)
    request.uri += "&bogus=1"
    with pytest.raises(HttpError) as unknown:
        request.execute()
    assert unknown.value.status_code == 400
    assert reason(unknown.value) == "badRequest"


def test_filters_recurrence_and_fields(fake: GoogleCalendarFake, app: tuple[Any, str]) -> None:
    service, cal = app
    weekly = {
        "id": "recur0001",
        "summary": "Breakfast club",
        "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"],
        "start": {"dateTime": "2024-03-25T08:00:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2024-03-25T09:00:00", "timeZone": "Europe/Berlin"},
    }
    service.events().insert(calendarId=cal, body=weekly).execute()
    tagged = {"extendedProperties": {"private": {"netgoals": "yes"}}, **timed(T0)}
    service.events().insert(calendarId=cal, body={"id": "tagged01", **tagged}).execute()

    instances = (
        service.events()
        .list(calendarId=cal, singleEvents=True, orderBy="startTime", timeMax=T0.isoformat())
        .execute()["items"]
    )
    assert [e["start"]["dateTime"] for e in instances] == [
        "2024-03-25T08:00:00+01:00",
        "2024-04-01T08:00:00+02:00",  # across the DST change, same wall time
        "2024-04-08T08:00:00+02:00",
    ]
    assert instances[1]["id"] == "recur0001_20240401T060000Z"
    assert instances[1]["recurringEventId"] == "recur0001"

    only_tagged = (
        service.events()
        .list(
            calendarId=cal,
            privateExtendedProperty="netgoals=yes",
            fields="items(id,start/dateTime),nextSyncToken",
        )
        .execute()
    )
    assert set(only_tagged) == {"items", "nextSyncToken"}
    expected = {"id": "tagged01", "start": {"dateTime": "2024-05-06T11:00:00+02:00"}}
    assert only_tagged["items"] == [expected]
    got = service.events().get(calendarId=cal, eventId="tagged01", fields="id,status").execute()
    assert got == {"id": "tagged01", "status": "confirmed"}


def test_attendance_data_on_primary(fake: GoogleCalendarFake, app: tuple[Any, str]) -> None:
    service, _ = app
    fake.add_event(
        ADA,
        {
            "id": "invite001",
            "summary": "Founders meetup",
            "organizer": {"email": "bob@example.com"},
            "attendees": [
                {"email": "bob@example.com", "responseStatus": "accepted"},
                {"email": ADA, "responseStatus": "needsAction"},
            ],
            **timed(T0),
        },
    )
    fake.set_response_status(ADA, "invite001", "accepted")
    event = service.events().get(calendarId="primary", eventId="invite001").execute()
    me = next(a for a in event["attendees"] if a.get("self"))
    assert me["responseStatus"] == "accepted"
    assert "self" not in event["organizer"]
    moved = fake.move_event(ADA, "invite001", start=T0 + timedelta(hours=2))
    assert moved["sequence"] == 1


# ---------------------------------------------------------------------------- faults


def test_retries_through_503_and_fails_fast_on_quota(fake: GoogleCalendarFake, app: tuple[Any, str]) -> None:
    service, cal = app
    fake.clear_requests()
    fake.inject_fault("503", count=2)
    no_wait(service.events().list(calendarId=cal)).execute(num_retries=3)
    assert fake.count_requests() == 3

    fake.clear_requests()
    fake.inject_fault("rateLimitExceeded", method="POST")
    body = {"id": "again0001", **timed(T0)}
    no_wait(service.events().insert(calendarId=cal, body=body)).execute(num_retries=3)
    assert fake.count_requests() == 2

    fake.clear_requests()
    fake.inject_fault("quotaExceeded")
    with pytest.raises(HttpError) as quota:
        no_wait(service.events().list(calendarId=cal)).execute(num_retries=3)
    assert quota.value.status_code == 403
    assert reason(quota.value) == "quotaExceeded"
    assert fake.count_requests() == 1


def test_control_http_api(fake: GoogleCalendarFake, app: tuple[Any, str]) -> None:
    service, _ = app
    event = {"id": "viahttp01", "summary": "From control", **timed(T0)}
    url = f"{fake.base_url}/_control/users/{ADA}/calendars/primary/events"
    assert httpx.post(url, json=event).status_code == 200
    assert service.events().get(calendarId="primary", eventId="viahttp01").execute()["summary"]
    fault = {"kind": "429", "path": "viahttp01", "count": 1}
    assert httpx.post(f"{fake.base_url}/_control/faults", json=fault).status_code == 200
    with pytest.raises(HttpError) as limited:
        service.events().get(calendarId="primary", eventId="viahttp01").execute()
    assert limited.value.status_code == 429
    assert httpx.get(f"{fake.base_url}/_control/nothing").status_code == 404


def test_control_state_shows_each_calendars_events(fake: GoogleCalendarFake, app: tuple[Any, str]) -> None:
    service, cal = app
    body = {"id": "plannedblock01", "summary": "Networking event", **timed(T0)}
    service.events().insert(calendarId=cal, body=body).execute()
    state = httpx.get(f"{fake.base_url}/_control/state").json()
    calendars = {c["summary"]: c for c in state["users"][ADA]}
    planned = calendars["Networking goals"]["events"]
    assert [(e["id"], e["summary"], e["status"]) for e in planned] == [
        ("plannedblock01", "Networking event", "confirmed")
    ]
    assert datetime.fromisoformat(planned[0]["start"]) == datetime.fromisoformat(body["start"]["dateTime"])


def test_batch(fake: GoogleCalendarFake, app: tuple[Any, str]) -> None:
    service, cal = app
    answers: dict[str, Any] = {}

    def collect(request_id: str, response: Any, error: HttpError | None) -> None:
        answers[request_id] = error.status_code if error else response["id"]

    batch = BatchHttpRequest(callback=collect, batch_uri=fake.batch_uri)
    batch.add(service.events().insert(calendarId=cal, body={"id": "batch0001", **timed(T0)}))
    batch.add(service.events().insert(calendarId=cal, body={"id": "batch0001", **timed(T0)}))
    batch.execute()
    assert answers == {"1": "batch0001", "2": 409}


# ---------------------------------------------------------------------------- freeBusy


def test_freebusy_merges_and_ignores_free_time(fake: GoogleCalendarFake) -> None:
    service = calendar(fake, connect(fake, [S + "calendar.readonly"]))
    hour = timedelta(hours=1)
    fake.add_event(ADA, {"summary": "a", **timed(T0)})
    fake.add_event(ADA, {"summary": "b", **timed(T0 + hour / 2, 90)})
    fake.add_event(ADA, {"summary": "free", "transparency": "transparent", **timed(T0 + 3 * hour)})
    declined = fake.add_event(
        ADA,
        {
            "organizer": {"email": "bob@example.com"},
            "attendees": [{"email": ADA, "responseStatus": "declined"}],
            **timed(T0 + 4 * hour),
        },
    )
    assert declined["attendees"][0]["self"] is True
    gone = fake.add_event(ADA, timed(T0 + 5 * hour))
    fake.cancel_event(ADA, gone["id"])
    answer = (
        service.freebusy()
        .query(
            body={
                "timeMin": T0.isoformat(),
                "timeMax": (T0 + 8 * hour).isoformat(),
                "items": [{"id": "primary"}],
            }
        )
        .execute()
    )
    assert answer["calendars"]["primary"]["busy"] == [
        {"start": "2024-05-06T09:00:00Z", "end": "2024-05-06T11:00:00Z"}
    ]


# ---------------------------------------------------------------------------- push


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, str]]]]:
    received: list[dict[str, str]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(dict(self.headers.items()))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


def test_watch_delivers_sync_then_exists(
    fake: GoogleCalendarFake,
    app: tuple[Any, str],
    receiver: tuple[str, list[dict[str, str]]],
) -> None:
    service, _ = app
    address, received = receiver
    channel = (
        service.events()
        .watch(
            calendarId="primary",
            body={"id": "chan-1", "type": "web_hook", "address": address, "token": "secret"},
        )
        .execute()
    )
    assert channel["kind"] == "api#channel"
    assert channel["resourceId"]
    assert int(channel["expiration"]) > (datetime.now(UTC) + timedelta(days=6)).timestamp() * 1000
    fake.wait_for_notifications(1)
    fake.add_event(ADA, timed(T0))
    fake.wait_for_notifications(2)
    states = [(h["X-Goog-Resource-State"], h["X-Goog-Message-Number"]) for h in received]
    assert states == [("sync", "1"), ("exists", "2")]
    assert {h["X-Goog-Channel-Token"] for h in received} == {"secret"}
    assert {h["X-Goog-Channel-ID"] for h in received} == {"chan-1"}
    assert received[0]["X-Goog-Resource-ID"] == channel["resourceId"]

    service.channels().stop(body={"id": "chan-1", "resourceId": channel["resourceId"]}).execute()
    fake.add_event(ADA, timed(T0 + timedelta(days=1)))
    assert len(fake.wait_for_notifications(timeout=0.5)) == 2
    with pytest.raises(HttpError) as unknown:
        service.channels().stop(body={"id": "chan-1", "resourceId": "x"}).execute()
    assert unknown.value.status_code == 404
