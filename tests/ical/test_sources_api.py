"""Sources over the REST API and the /calendar page: CRUD and read-now for the caller's own sources
only, an uploaded file read at once, bad input answered 422 without a change; the page shows the
feed links, the refresh notes and each source's state, and its forms need the session's CSRF."""

from __future__ import annotations

import re

from service import ical
from service.access import accounts
from tests.api.test_dashboard import _csrf
from tests.ical.calendar_server import CalendarServer, Route
from tests.ical.conftest import Site
from tests.ical.ics import vcalendar, vevent

MEETUP = vcalendar(vevent("m1@x", "20261118T170000Z", "20261118T190000Z", "Python Meetup Berlin"))


def _auth(site: Site) -> dict[str, str]:
    return {"Authorization": f"Bearer {site.token}"}


def test_sources_crud_and_sync(site: Site, server: CalendarServer) -> None:
    server.routes["/m.ics"] = Route(MEETUP, etag='"1"')
    created = site.client.post("/api/v1/sources", json={"url": server.url("/m.ics")}, headers=_auth(site))
    assert created.status_code == 201, created.text
    source = created.json()
    assert source["last_status"] == "new" and "url" not in source  # the address is never shown whole
    assert source["display"].startswith("127.0.0.1")
    read = site.client.post(f"/api/v1/sources/{source['source_id']}/sync", headers=_auth(site))
    assert read.status_code == 202, read.text  # queued: no Redis here, so the read is left to the sweep
    assert read.json()["read"]["queued"] == "unavailable"
    assert read.json()["read"]["result"] == f"/api/v1/sources/{source['source_id']}"
    assert server.requests == [], "the API fetched the calendar in the request"
    reports = ical.sync_due_sources(site.app, site.settings)  # the workers' periodic read of due sources
    assert [(r.status, r.events_seen, r.done) for r in reports] == [("ok", 1, 1)]
    listed = site.client.get("/api/v1/sources", headers=_auth(site)).json()
    assert [(s["last_status"], s["events_seen"], s["actions_derived"]) for s in listed] == [("ok", 1, 1)]
    other = accounts.add_user(site.app, "eve@example.com", "UTC")
    theirs = {"Authorization": f"Bearer {other.token}"}
    assert site.client.get("/api/v1/sources", headers=theirs).json() == []
    for method, suffix in (("get", ""), ("delete", ""), ("post", "/sync")):
        answer = site.client.request(method, f"/api/v1/sources/{source['source_id']}{suffix}", headers=theirs)
        assert answer.status_code == 404
    assert (
        site.client.delete(f"/api/v1/sources/{source['source_id']}", headers=_auth(site)).status_code == 204
    )
    assert site.client.get("/api/v1/sources", headers=_auth(site)).json() == []


def test_bad_addresses_are_422_and_change_nothing(site: Site) -> None:
    before = site.app.store.head_position()
    for url in ("ftp://x/y.ics", "not a url", "https://"):
        answer = site.client.post("/api/v1/sources", json={"url": url}, headers=_auth(site))
        assert answer.status_code == 422, url
    assert site.client.get("/api/v1/sources", headers=_auth(site)).json() == []
    assert site.app.store.head_position() == before


def test_an_uploaded_file_is_read_at_once(site: Site) -> None:
    answer = site.client.post(
        "/api/v1/sources/upload?name=meetups.ics",
        content=MEETUP,
        headers={**_auth(site), "Content-Type": "text/calendar"},
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["read"]["done"] == 1 and body["source"]["kind"] == "file"
    assert body["source"]["display"] == "meetups.ics"
    broken = site.client.post(
        "/api/v1/sources/upload", content=b"<html>", headers={**_auth(site), "Content-Type": "text/calendar"}
    )
    assert broken.status_code == 201 and "HTML" in broken.json()["read"]["error"]


def test_the_calendar_page_shows_links_and_sources(site: Site) -> None:
    page = site.client.get("/signin")
    site.client.post(
        "/signin",
        data={"email": "ada@example.com", "token": site.token, "csrf": _csrf(page.text)},
        follow_redirects=False,
    )
    assert 'href="/calendar"' in site.client.get("/").text  # the dashboard links to it
    html = site.client.get("/calendar").text
    links = site.client.get("/api/v1/feed", headers=_auth(site)).json()
    assert links["https"] in html and links["webcal"] in html
    assert "Add to Google Calendar" in html and "Add to Apple Calendar" in html and "Add to Outlook" in html
    assert "8 to 24 hours" in html and "about every 3 hours" in html
    assert '<script src="/static/feeds.js"></script>' in html
    assert "script-src 'self'" in site.client.get("/calendar").headers["content-security-policy"]
    assert site.client.get("/static/feeds.js").status_code == 200
    # Forms need the session's CSRF token.
    assert site.client.post("/calendar/rotate", data={"csrf": "guess"}).status_code == 403
    csrf = _csrf(html)
    site.client.post("/calendar/rotate", data={"csrf": csrf})
    assert links["https"] not in site.client.get("/calendar").text
    added = site.client.post("/calendar/sources", data={"csrf": csrf, "url": "https://example.com/cal.ics"})
    assert added.status_code == 200
    assert "example.com…/cal.ics" in added.text and re.search(r">\s*new\s*<", added.text)
    # "Read now" on the page queues the read: nothing is fetched in the request.
    [source] = ical.list_sources(site.app, site.user_id)
    asked = site.client.post(f"/calendar/sources/{source.source_id}/sync", data={"csrf": csrf})
    assert asked.status_code == 200 and "Done: source read queued." in asked.text
    assert ical.get_source(site.app, site.user_id, source.source_id).last_fetched_at is None


def test_the_calendar_page_reads_and_removes_only_the_callers_own_sources(
    site: Site, server: CalendarServer
) -> None:
    server.routes["/m.ics"] = Route(MEETUP)
    created = site.client.post("/api/v1/sources", json={"url": server.url("/m.ics")}, headers=_auth(site))
    source_id = created.json()["source_id"]
    eve = accounts.add_user(site.app, "eve@example.com", "UTC")
    page = site.client.get("/signin")
    site.client.post(
        "/signin",
        data={"email": "eve@example.com", "token": eve.token, "csrf": _csrf(page.text)},
        follow_redirects=False,
    )
    csrf = _csrf(site.client.get("/calendar").text)
    for verb in ("sync", "remove"):
        answer = site.client.post(f"/calendar/sources/{source_id}/{verb}", data={"csrf": csrf})
        assert answer.status_code == 404, (verb, answer.text)
    assert server.requests == []  # Ada's calendar was not read on Eve's behalf
    mine = site.client.get(f"/api/v1/sources/{source_id}", headers=_auth(site)).json()
    assert mine["last_status"] == "new" and mine["last_fetched_at"] is None


def test_the_calendar_page_says_when_a_source_was_last_read_in_the_persons_zone(
    site: Site, server: CalendarServer
) -> None:
    server.routes["/m.ics"] = Route(MEETUP)
    site.client.post("/api/v1/sources", json={"url": server.url("/m.ics")}, headers=_auth(site))
    ical.sync_due_sources(site.app, site.settings)  # read at 11:00 UTC
    page = site.client.get("/signin")
    site.client.post(
        "/signin",
        data={"email": "ada@example.com", "token": site.token, "csrf": _csrf(page.text)},
        follow_redirects=False,
    )
    html = site.client.get("/calendar").text
    assert "Wed 25 Nov 2026, 12:00</time>" in html and "Times in Europe/Berlin." in html  # not bare UTC
    assert "T11:00" not in re.sub(r'datetime="[^"]*"', "", html)  # ISO only in the machine's attribute
