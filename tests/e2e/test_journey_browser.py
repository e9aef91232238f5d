"""The first hour and the first day in headless Chromium, at a phone's 390 px and a desktop's
1280 px: a new person signs in, walks the first-run path (an aspiration, two people, a first goal
from a template that serves it, the calendar step skipped), then does the daily loop — one tap of
"+1", the log form with a person, confirming a planned block that has passed — and opens their goal
and their network. After every page: no serious or critical axe violation, and the page is no wider
than the screen.

With NETGOALS_DOCS_SCREENSHOTS=1 it also saves the first-run and home pages at both widths into
docs/assets/, so the documentation's screenshots come from this run and never go stale."""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.api.live import LiveServer, live_server
from tests.conftest import REQUIRE_SERVICES
from tests.e2e.test_dashboard_browser import ARGS, CHROMIUM, OUTPUT

if not CHROMIUM.exists() and not REQUIRE_SERVICES:  # with NETGOALS_REQUIRE_SERVICES=1 it fails instead
    pytest.skip("needs Debian's chromium at /usr/bin/chromium", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright

from service.app import App
from service.settings import Settings
from service.tracking import goals
from tests.api.conftest import User
from tests.api.test_confirm_routes import plan_block
from tests.e2e.test_dashboard_pages_browser import _serious
from tests.e2e.test_dashboard_widths_browser import WIDTHS, _too_wide

NOW = datetime.fromisoformat("2026-11-25T12:00:00+01:00")  # a fixed clock: the same screenshots every run
DOCS_ASSETS = Path(__file__).resolve().parents[2] / "docs" / "assets"
GOAL = "Attend one networking event per month"
ASPIRATION = "Move into a product role at a climate startup"


class Journey:
    """One person's walk at one width; every page visited is checked and may be screenshotted."""

    def __init__(self, page: Page, width: str) -> None:
        self.page, self.width = page, width
        self.problems: list[str] = []

    def check(self, name: str, *, docs: bool = False) -> None:
        wide = _too_wide(self.page)
        if wide:
            self.problems.append(f"{name} ({self.width}): {wide}")
        self.problems += [f"{name} ({self.width}): {p}" for p in _serious(self.page)]
        self.page.screenshot(path=str(OUTPUT / f"journey-{name}-{self.width}.png"), full_page=True)
        if docs and os.environ.get("NETGOALS_DOCS_SCREENSHOTS") == "1":
            DOCS_ASSETS.mkdir(exist_ok=True)
            self.page.screenshot(path=str(DOCS_ASSETS / f"{name}-{self.width}.png"))  # the first screen


def _plan_passed_block(home: Path, user_id: str) -> None:
    """A planned block for the first goal that ended an hour ago, as the planner would write it."""
    app = App.open(Settings(home=home, database_url=None), clock=lambda: NOW)
    try:
        (goal,) = goals.list_goals(app, user_id)
        plan_block(app, User(user_id, "", ""), NOW - timedelta(hours=3), goal_id=goal.goal_id)
    finally:
        app.close()


def _walk(browser: Browser, server: LiveServer, home: Path, width: str) -> list[str]:
    user = server.add_user(f"{width}@example.com")
    context = browser.new_context(viewport=WIDTHS[width])  # type: ignore[arg-type]
    page = context.new_page()
    walk = Journey(page, width)
    try:
        page.goto(f"{server.base_url}/")
        page.get_by_label("Email").fill(user["handle"])
        page.get_by_label("API token").fill(user["token"])
        page.get_by_role("button", name="Sign in").click()

        # the first run: on the home page, before anything else
        expect(page.get_by_text("Step 1 of 4")).to_be_visible()
        expect(page.get_by_role("heading", name="What are you working towards?")).to_be_in_viewport()
        walk.check("first-run", docs=True)
        page.get_by_label("In your words").fill(ASPIRATION)
        page.get_by_label("It is mostly about").select_option(label="a new job")
        page.get_by_role("button", name="Save and go on").click()

        expect(page.get_by_text("Step 2 of 4")).to_be_visible()
        expect(page.get_by_text("Aspiration added.")).to_be_visible()
        walk.check("first-run-people")
        for name, where in (("Maya Lin", "Green Grid"), ("Tomás Ruiz", "SolarLab")):
            page.get_by_label("Someone you know").fill(name)
            page.get_by_label("Where they work").fill(where)
            page.get_by_role("button", name="Add this person").click()
            expect(page.get_by_text("Contact added.")).to_be_visible()
        expect(page.get_by_text(re.compile(r"2 people so far:\s+Maya Lin, Tomás Ruiz"))).to_be_visible()
        walk.check("first-run-people-added")
        page.get_by_role("link", name="Go on: a first goal").click()

        expect(page.get_by_text("Step 3 of 4")).to_be_visible()
        expect(page.get_by_label("It serves").locator("option:checked")).to_have_text(ASPIRATION)
        walk.check("first-run-goal")
        page.get_by_label(GOAL).check()
        page.get_by_role("button", name="Set this goal").click()

        expect(page.get_by_text("Step 4 of 4")).to_be_visible()
        expect(page.get_by_text("Goal added.")).to_be_visible()
        walk.check("first-run-calendar")
        page.get_by_role("link", name="Skip this step and go to your goals").click()

        # the daily loop, on the usual home page now
        expect(page.get_by_role("heading", name=ASPIRATION)).to_be_visible()
        expect(page.get_by_text("Step 1 of 4")).to_have_count(0)
        walk.check("home", docs=True)
        card = page.locator(".goal").first
        page.get_by_role("button", name=re.compile(r"^\+1 Attend a networking event")).click()
        expect(page.get_by_text(f"Counted for: {GOAL} — 1 of 1, met")).to_be_visible()
        expect(card.locator(".done")).to_have_text("1")
        page.get_by_label("What you did").select_option("attend-event")
        page.get_by_label("Title").fill("Climate Tech Meetup")
        page.get_by_label("With (optional)").select_option(label="Maya Lin")
        page.get_by_role("button", name="Log it").click()
        expect(page.get_by_text(f"Counted for: {GOAL} — 2 of 1, met")).to_be_visible()
        expect(page.get_by_text("Climate Tech Meetup").first).to_be_visible()
        walk.check("home-logged")

        _plan_passed_block(home, user["user_id"])
        page.reload()
        block = page.locator("#to-confirm li").filter(has_text="Networking: meetup evening")
        block.get_by_role("button", name="Done").click()
        expect(page.get_by_text("Networking: meetup evening")).to_have_count(0)  # answered, off the list
        walk.check("confirm")
        page.get_by_role("link", name="Goals", exact=True).click()
        expect(card.locator(".done")).to_have_text("3")  # the confirmed block counted too

        page.get_by_role("link", name=GOAL).first.click()
        expect(page.get_by_role("heading", name=GOAL)).to_be_visible()
        walk.check("goal")
        page.get_by_role("link", name="Network", exact=True).click()
        expect(page.get_by_role("link", name="Tomás Ruiz").first).to_be_visible()
        walk.check("network")
    finally:
        context.close()
    return walk.problems


def test_a_new_person_walks_the_first_run_and_the_daily_loop_on_a_phone_and_a_desktop(tmp_path: Path) -> None:
    OUTPUT.mkdir(exist_ok=True)
    with live_server(tmp_path, {"NETGOALS_NOW": NOW.isoformat()}) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            problems = [p for width in WIDTHS for p in _walk(browser, server, tmp_path, width)]
        finally:
            browser.close()
    assert problems == [], "\n".join(problems)
