"""The network pages in headless Chromium with JavaScript switched off: upload LinkedIn's export,
confirm the preview, rate contacts from the keyboard alone, skip one, and see the gaps — with an
axe accessibility check of each page. Screenshots go to test-output/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.api.live import live_server
from tests.contact_exports import LINKEDIN
from tests.e2e.test_dashboard_browser import ARGS, CHROMIUM, OUTPUT

if not CHROMIUM.exists() and not os.environ.get("NETGOALS_REQUIRE_SERVICES"):
    pytest.skip("needs Debian's chromium at /usr/bin/chromium", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect, sync_playwright


def _no_axe_violations(page: Page, axe: Axe) -> None:
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def test_import_then_rate_from_the_keyboard_without_javascript(tmp_path: Path) -> None:
    OUTPUT.mkdir(exist_ok=True)
    export = tmp_path / "Connections.csv"
    export.write_bytes(LINKEDIN.encode())
    with live_server(tmp_path) as server, sync_playwright() as playwright:
        user = server.add_user("ann@example.com")
        server.cli(
            "aspiration",
            "add",
            "Move into a product role at a climate startup",
            "--kind",
            "new-job",
            "--user",
            user["handle"],
        )
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        axe = Axe()
        try:
            # axe is injected by Playwright's evaluate; the pages themselves run no script at all
            context = browser.new_context(java_script_enabled=False, viewport={"width": 1100, "height": 900})
            page = context.new_page()
            page.goto(f"{server.base_url}/signin")
            page.get_by_label("Email").fill(user["handle"])
            page.get_by_label("API token").fill(user["token"])
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("link", name="Import contacts").click()

            page.get_by_label("Export file").set_input_files(str(export))
            page.get_by_role("button", name="Preview").click()
            expect(page.get_by_role("heading", name="Preview of your LinkedIn file")).to_be_visible()
            expect(page.locator(".count-new")).to_have_text("3")
            expect(
                page.get_by_role("cell", name="Head of Product · Green Grid, Inc. · known since 2019-03-14")
            ).to_be_visible()
            page.get_by_role("button", name="Import these contacts").click()
            expect(page.get_by_text("Imported 3 new contacts.")).to_be_visible()
            page.get_by_role("link", name="Rate them now").click()

            expect(page.get_by_role("heading", name="Ann Okafor")).to_be_visible()
            expect(page.get_by_text("Card 1 of 3 not yet rated.")).to_be_visible()
            audit = axe_context(browser, context, page.url)
            _no_axe_violations(audit, axe)
            audit.context.close()

            # Ann: skip from the keyboard (tab order ends at "Skip for now").
            skip = page.get_by_role("link", name="Skip for now")
            skip.focus()
            page.keyboard.press("Enter")
            expect(page.get_by_role("heading", name="Maya Lin")).to_be_visible()

            # Maya: the first strength is focused on arrival; space, arrows, tab, type, enter.
            expect(page.get_by_label("1 · barely know them")).to_be_focused()
            page.keyboard.press("Space")
            for _ in range(4):
                page.keyboard.press("ArrowRight")
            expect(page.get_by_label("5 · close, would help me")).to_be_checked()
            page.keyboard.press("Tab")
            page.keyboard.press("Control+a")
            page.keyboard.type("mentor, product")
            page.keyboard.press("Tab")
            page.keyboard.type("30")
            page.keyboard.press("Tab")
            page.keyboard.press("Space")  # can help with the aspiration
            page.keyboard.press("Tab")
            expect(page.get_by_role("button", name="Save and next")).to_be_focused()
            page.keyboard.press("Enter")
            expect(page.get_by_text("Saved.")).to_be_visible()
            expect(page.get_by_role("heading", name="Tomás Ruiz")).to_be_visible()
            page.screenshot(path=str(OUTPUT / "network-assess.png"), full_page=True)

            page.get_by_role("link", name="Per aspiration").click()
            view = page.locator(".aspiration").first
            expect(view.locator(".helpers-count")).to_have_text("1")
            expect(
                page.get_by_role("img", name="Move into a product role at a climate startup: 1 at strength 5")
            ).to_be_visible()
            page.get_by_role(
                "button", name="Set goal: Reach out to one new contact at a climate startup per week"
            ).click()
            expect(page.get_by_text("Goal set, linked to its aspiration.")).to_be_visible()
            page.screenshot(path=str(OUTPUT / "network-gaps.png"), full_page=True)
            audit = axe_context(browser, context, page.url)
            _no_axe_violations(audit, axe)
            audit.context.close()
        finally:
            browser.close()


def axe_context(browser, signed_in, url: str) -> Page:  # type: ignore[no-untyped-def]
    """The same page in a context with JavaScript on (axe needs it), signed in with the same cookie."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.add_cookies(signed_in.cookies())
    page: Page = context.new_page()
    page.goto(url)
    return page
