"""Every dashboard page, filled as two months of real use fill it (3 aspirations, 5 goals of every
kind, 40 imported contacts, two months of history), in headless Chromium at a phone's 390 px and a
desktop's 1280 px: no page is wider than the screen, every page carries the main navigation, and
axe-core finds no serious or critical violation. The data is written through the service layer into
the live server's own store, as a person's CLI would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.api.live import LiveServer, live_server
from tests.conftest import REQUIRE_SERVICES
from tests.e2e.test_dashboard_browser import ARGS, CHROMIUM, OUTPUT

if not CHROMIUM.exists() and not REQUIRE_SERVICES:  # with NETGOALS_REQUIRE_SERVICES=1 it fails instead
    pytest.skip("needs Debian's chromium at /usr/bin/chromium", allow_module_level=True)

from playwright.sync_api import Browser, FilePayload, Page, expect, sync_playwright

from domain.decisions import GoalSpec, Rating
from integrations.storage.database import write_transaction
from integrations.storage.ical_store import sources as source_rows
from service import ical
from service.app import App
from service.people import contact_import, network_assess
from service.settings import Settings
from service.tracking import actions, goals
from tests.e2e.test_dashboard_pages_browser import _serious

NOW = datetime.fromisoformat("2026-11-25T12:00:00+01:00")
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}

# what makes pages wide: long names, companies with many words, one-word tokens with no break
FIRST = ["Maya", "Tomás", "Ann", "Bartholomew", "Zhang", "Ngozi", "Anne-Sophie", "Kai", "Ólafur", "Priya"]
LAST = ["Lin", "Ruiz", "Okafor", "Vandenberghe-Oppenheimer", "Wei", "Adeyemi", "Müller", "Sato"]
COMPANIES = [
    "Green Grid, Inc.",
    "Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ) GmbH",
    "SolarLab",
    "Carbonwise",
    "Kreditanstalt-für-Wiederaufbau-Entwicklungsbank",
]
ROLES = [
    "Head of Product",
    "Founder, CEO",
    "Senior Staff Software Engineer, Platform Reliability",
    "Recruiter",
]


def _linkedin_export(count: int) -> bytes:
    lines = ["First Name,Last Name,URL,Email Address,Company,Position,Connected On"]
    for i in range(count):
        first, last = FIRST[i % len(FIRST)], LAST[i % len(LAST)] + ("" if i < len(LAST) else f"{i}")
        url = f"https://www.linkedin.com/in/{first.lower()}-{last.lower()}-{'7b1a2c9f' * 3}{i}"
        email = (
            f"{first.lower()}.{last.lower()}.{i}@a-very-long-domain-name-for-mail.example.org"
            if i % 3
            else ""
        )
        known = (date(2015, 1, 10) + timedelta(days=97 * i)).strftime("%d %b %Y")
        company, role = COMPANIES[i % len(COMPANIES)], ROLES[i % len(ROLES)]
        lines.append(f'{first},{last},{url},{email},"{company}","{role}",{known}')
    return ("\r\n".join(lines) + "\r\n").encode()


# a career centre's calendar: a long address, and a read that failed naming it in full
LONG_SOURCE = (
    "https://calendar.a-very-long-subdomain-of-a-university-career-centre.example.org/owa/calendar/"
    + "a1b2c3d4e5f6" * 8
    + "/reachcalendar.ics"
)


def _add_source(app: App, settings: Settings, user_id: str) -> None:
    added = ical.add_source(app, settings, user_id, LONG_SOURCE)
    with write_transaction(app.engine) as connection:
        row = source_rows.source(connection, added.source_id)
        assert row is not None
        source_rows.advance_source(
            connection,
            added.source_id,
            row.version,
            last_status="error",
            last_error=f"HTTP 404 from {LONG_SOURCE}",
            last_fetched_at=NOW.astimezone(UTC).isoformat(),
        )


def _conflicting_export() -> bytes:
    """The same export a year on: two people have moved (another company, another position)."""
    moved = _linkedin_export(40).decode()
    for old, new in ((COMPANIES[1], "Internationale Klimaschutzinitiative Projektträgergesellschaft"),):
        moved = moved.replace(f'"{old}","{ROLES[1]}"', f'"{new}","{ROLES[2]}"', 2)
    return moved.encode()


@dataclass
class Filled:
    goal_ids: list[str]
    contact_id: str


def _fill(home: Path, user_id: str) -> Filled:
    settings = Settings(home=home, database_url=None)
    app = App.open(settings, clock=lambda: NOW)
    try:
        _add_source(app, settings, user_id)
        aspirations = [
            goals.add_aspiration(app, user_id, text, kind)
            for text, kind in (
                ("Move into a product role at a climate startup", "new-job"),
                ("Find a mentor who has run an engineering organisation", "mentorship"),
                ("Speak at two conferences about grid software", "other"),
            )
        ]
        contact_import.import_contacts(app, user_id, _linkedin_export(40), apply=True, source="linkedin")
        contacts = network_assess.unrated(app, user_id)
        for i, (contact, _seen) in enumerate(contacts[:30]):
            rating = Rating(
                strength=1 + i % 5,
                tags=("climate", "product") if i % 2 else ("mentor",),
                cadence_days=30 if i % 3 == 0 else None,
                helps_with=(aspirations[i % 3],),
            )
            network_assess.rate_contact(app, user_id, contact.contact_id, rating)
        ids = [c.contact_id for c, _ in contacts]
        start = NOW.date() - timedelta(days=61)
        specs = [
            GoalSpec(template="monthly-event", start=start, aspiration_id=aspirations[0]),
            GoalSpec(template="weekly-outreach", start=start, aspiration_id=aspirations[0]),
            GoalSpec(template="mentor", start=start, contact_ids=(ids[0],), aspiration_id=aspirations[1]),
            GoalSpec(
                title="Give a talk about grid software",
                action="give-a-talk",
                target=2,
                start=start,
                deadline=NOW.date() + timedelta(days=90),
                aspiration_id=aspirations[2],
            ),
            GoalSpec(
                title="Coffee with people from other teams",
                action="follow-up",
                target=2,
                frame="week",
                start=start,
            ),
        ]
        goal_ids = [goals.set_goal(app, user_id, spec).goal_id for spec in specs]
        kinds = ["attend-event", "reach-out", "meet-mentor", "follow-up", "follow-up", "give-a-talk"]
        for day in range(0, 60, 2):
            at = NOW - timedelta(days=60 - day, hours=3)
            kind = kinds[day % len(kinds)]
            with_whom = (ids[0],) if kind == "meet-mentor" else (ids[(day * 7) % len(ids)],)
            actions.log_action(
                app,
                user_id,
                kind,
                at,
                contact_ids=with_whom,
                title=f"{kind.replace('-', ' ').title()} #{day}",
            )
        return Filled(goal_ids, ids[0])
    finally:
        app.close()


def _pages(filled: Filled) -> Iterator[tuple[str, str]]:
    """(screenshot name, path) of every page a person moves between."""
    yield from (("home", "/"), ("goal-new", "/goals/new"))
    yield from ((f"goal-{i}", f"/goals/{goal_id}") for i, goal_id in enumerate(filled.goal_ids))
    yield from (("aspirations", "/aspirations"), ("network", "/network"))
    yield ("contact", f"/network/{filled.contact_id}")
    for path in ("/network/import", "/network/assess", "/network/gaps", "/history", "/settings"):
        yield (path.strip("/").replace("/", "-"), path)
    yield from (("updates", "/settings/updates"), ("calendar", "/calendar"), ("confirm", "/confirm"))


def _too_wide(page: Page) -> str | None:
    """None, or how wide the page is and the widest elements sticking out (to find the culprit)."""
    page.wait_for_load_state("load")  # after a click that navigates: measure the page it led to
    found: dict[str, object] = page.evaluate(
        """() => {
          const w = window.innerWidth, sw = document.documentElement.scrollWidth;
          if (sw <= w) return {wide: false};
          const out = [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > w + 0.5)
            .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '')
                      + ' ' + Math.round(e.getBoundingClientRect().right))
            .slice(0, 6);
          return {wide: true, text: `${sw} px wide on a ${w} px screen: ${out.join(', ')}`};
        }"""
    )
    return str(found["text"]) if found["wide"] else None


def _upload(data: bytes) -> FilePayload:
    return {"name": "Connections.csv", "mimeType": "text/csv", "buffer": data}


def _sign_in(browser: Browser, server: LiveServer, user: dict[str, str]) -> list[dict[str, object]]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.base_url}/signin")
    page.get_by_label("Email").fill(user["handle"])
    page.get_by_label("API token").fill(user["token"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()
    cookies: list[dict[str, object]] = list(context.cookies())  # type: ignore[arg-type]
    context.close()
    return cookies


def test_every_page_filled_with_two_months_fits_a_phone_and_a_desktop(tmp_path: Path) -> None:
    OUTPUT.mkdir(exist_ok=True)
    with live_server(tmp_path, {"NETGOALS_NOW": NOW.isoformat()}) as server, sync_playwright() as playwright:
        user = server.add_user("ann@example.com")
        filled = _fill(tmp_path, user["user_id"])
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            cookies = _sign_in(browser, server, user)
            problems: list[str] = []
            for width, viewport in WIDTHS.items():
                context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
                context.add_cookies(cookies)  # type: ignore[arg-type]
                page = context.new_page()
                for name, path in _pages(filled):
                    response = page.goto(f"{server.base_url}{path}")
                    assert response is not None and response.status == 200, (
                        path,
                        response and response.status,
                    )
                    page.screenshot(path=str(OUTPUT / f"filled-{name}-{width}.png"), full_page=True)
                    wide = _too_wide(page)
                    if wide:
                        problems.append(f"{path} ({width}): {wide}")
                    if page.locator('nav[aria-label="Main"]').count() != 1:
                        problems.append(f"{path} ({width}): no main navigation")
                    else:  # its five links on one line, at 390 px too ("Settings" once wrapped)
                        rows = page.eval_on_selector_all(
                            'nav[aria-label="Main"] a',
                            "els => els.map(e => Math.round(e.getBoundingClientRect().top))",
                        )
                        if len(set(rows)) != 1:
                            problems.append(f"{path} ({width}): the main navigation wraps: {rows}")
                    problems += [f"{path} ({width}): {p}" for p in _serious(page)]
                    if path == "/settings/updates":  # its radios, labels and boxes once ran together
                        tops = page.evaluate(
                            """() => [...document.querySelectorAll(
                                 'main label, main input:not([type=hidden])')]
                                 .filter(e => !e.closest('label') || e.tagName === 'LABEL')
                                 .map(e => Math.round(e.getBoundingClientRect().top))"""
                        )
                        if len(set(tops)) != len(tops):
                            problems.append(f"{path} ({width}): form fields share a line: {tops}")
                    if path == "/network/assess":  # it once shared the skip link's off-screen class
                        box = page.get_by_role("link", name="Skip for now").bounding_box()
                        if not box or box["x"] < 0 or box["x"] + box["width"] > viewport["width"]:
                            problems.append(f"{path} ({width}): 'Skip for now' is off-screen at {box}")
                # the import preview with conflicts, and the choice it offers
                page.goto(f"{server.base_url}/network/import")
                page.set_input_files("#import-file", files=[_upload(_conflicting_export())])
                page.get_by_role("button", name="Preview").click()
                expect(page.get_by_role("radio", name="Take whichever changed last")).to_be_visible()
                page.screenshot(path=str(OUTPUT / f"filled-import-preview-{width}.png"), full_page=True)
                wide = _too_wide(page)
                if wide:
                    problems.append(f"import preview ({width}): {wide}")
                problems += [f"import preview ({width}): {p}" for p in _serious(page)]
                if width == "phone":  # the daily loop on a phone: one tap, and the page says what it did
                    page.goto(f"{server.base_url}/")
                    page.get_by_role("button", name=re.compile(r"^\+1 Attend a networking event")).click()
                    expect(
                        page.get_by_text("Counted for: Attend one networking event per month")
                    ).to_be_visible()
                context.close()
            assert problems == [], "\n".join(problems)
        finally:
            browser.close()
