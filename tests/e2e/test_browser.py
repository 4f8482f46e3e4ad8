"""The public pages in a real browser: accessibility (axe-core), keyboard use, mobile layout.

Drives Debian's Chromium (/usr/bin/chromium, installed by `make browser`) through Playwright
against pytest-django's live server, with the real catalogue loaded into PostgreSQL.
"""

import os
import re

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a
# thread with a running loop unless told it is safe (the test thread never shares connections).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from tests.e2e.browser_support import AXE_OPTIONS, MISSING_CHROMIUM  # noqa: E402

DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 740}
AXE_PAGES = {
    "list": ("/", "Find technical-assistance initiatives"),
    "search with results": ("/?q=naloxone", "found for “naloxone”"),
    "empty search": ("/?q=zzzxqv", "No initiatives match “zzzxqv”"),
    "filtered": ("/?group=3.2&organization=none", "Clear all filters"),
    "detail": ("/initiatives/3212/", "Initiative 3212"),
    "not found": ("/initiatives/9999/", "Page not found"),
}
TOTAL = 118
GROUP_3_2 = 'input[type="checkbox"][name="group"][value="3.2"]'
GROUP_3_2_COUNT = 26


def new_page(browser, viewport, javascript=True):
    if browser is None:
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def open_page(browser):
    """Open pages in fresh contexts (closed after the test)."""
    contexts = []

    def _open(viewport=DESKTOP, javascript=True):
        context, page = new_page(browser, viewport, javascript)
        contexts.append(context)
        return page

    yield _open
    for context in contexts:
        context.close()


# Accessibility: zero axe-core violations (WCAG 2.0/2.1/2.2 A and AA, and best practice) -----


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["desktop", "mobile"])
def test_public_pages_have_no_axe_violations(live_catalogue, open_page, viewport):
    page = open_page(viewport)
    axe = Axe()
    reports = []
    for name, (path, expected_text) in AXE_PAGES.items():
        response = page.goto(live_catalogue + path)
        assert response.status == (404 if name == "not found" else 200), path
        # Axe must look at the page the test means (e.g. the styled page, not an error page).
        expect(page.locator("main")).to_contain_text(expected_text)
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px", (
            f"{path}: the stylesheet did not load"
        )
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports.append(f"{name} ({path}):\n{results.generate_report()}")
    assert not reports, "\n\n".join(reports)


def test_the_axe_check_reports_violations(browser):
    """Guards the check above: a page with known defects must not pass with these options."""
    context, page = new_page(browser, DESKTOP)
    try:
        page.set_content(
            '<!doctype html><html lang="en"><head><title>Defects</title></head><body><main>'
            '<h1>Defects</h1><p style="color:#bbb;background:#fff">Low-contrast text</p>'
            '<input type="checkbox" name="unlabelled"></main></body></html>'
        )
        results = Axe().run(page, options=AXE_OPTIONS)
    finally:
        context.close()
    found = {violation["id"] for violation in results.response["violations"]}
    assert {"color-contrast", "label"} <= found, found
    assert results.violations_count == len(found)
    report = results.generate_report()
    assert "color-contrast" in report and "label" in report, report


# The live region ------------------------------------------------------------------------------


def test_result_count_is_a_status_live_region(live_catalogue, open_page):
    page = open_page()
    page.goto(live_catalogue + "/")
    count = page.locator("#result-count")
    expect(count).to_have_attribute("role", "status")
    expect(page.get_by_role("status")).to_have_text(f"{TOTAL} initiatives")


# Keyboard-only use of the filters -------------------------------------------------------------


def tab_to(page, selector, limit=60):
    """Press Tab until `selector` has the focus; return how many presses it took."""
    target = page.locator(selector)
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return presses
    raise AssertionError(f"{selector} was not reached with {limit} presses of Tab")


def assert_only_group_3_2(page):
    items = page.locator("#results li.initiative")
    expect(items).to_have_count(GROUP_3_2_COUNT)
    ids = items.evaluate_all("items => items.map(item => item.id)")
    assert all(re.fullmatch(r"i-32\d\d[A-Z]?", item_id) for item_id in ids), ids
    expect(page.locator("#result-count")).to_have_text(f"{GROUP_3_2_COUNT} initiatives")
    expect(page.locator(GROUP_3_2)).to_be_checked()


def test_keyboard_user_filters_by_sub_working_group_in_place(live_catalogue, open_page):
    page = open_page(DESKTOP)
    page.goto(live_catalogue + "/")
    expect(page.locator("#results li.initiative")).to_have_count(TOTAL)
    # A marker that a reload (the no-script fallback) would wipe out: results must update in place.
    page.evaluate("window.__sameDocument = true")

    tab_to(page, GROUP_3_2)
    page.keyboard.press("Space")

    assert_only_group_3_2(page)
    expect(page).to_have_url(re.compile(r"[?&]group=3\.2(&|$)"))
    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded, not updated"
    # The focus stays where the user was.
    assert page.locator(GROUP_3_2).evaluate("element => element === document.activeElement")
    # The other counts follow the results.
    expect(page.locator(".filter-toggle-count")).to_have_text(f"({GROUP_3_2_COUNT} results)")
    expect(page).to_have_title(re.compile(rf"^Initiatives – {GROUP_3_2_COUNT} results"))


def test_keyboard_user_filters_without_javascript(live_catalogue, open_page):
    page = open_page(DESKTOP, javascript=False)
    page.goto(live_catalogue + "/")
    expect(page.locator("#results li.initiative")).to_have_count(TOTAL)

    tab_to(page, GROUP_3_2)
    page.keyboard.press("Space")
    expect(page.locator(GROUP_3_2)).to_be_checked()
    # Without the script nothing happens until the form is submitted.
    expect(page.locator("#results li.initiative")).to_have_count(TOTAL)

    presses = tab_to(page, 'button[type="submit"]:has-text("Apply filters")')
    assert presses > 1  # the remaining checkboxes come first
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert_only_group_3_2(page)
    assert re.search(r"[?&]group=3\.2(&|$)", page.url), page.url


# Mobile layout --------------------------------------------------------------------------------


def test_mobile_filters_start_closed_and_the_page_does_not_scroll_sideways(
    live_catalogue, open_page
):
    page = open_page(MOBILE)
    page.goto(live_catalogue + "/")
    page.wait_for_load_state("load")
    panel = page.locator("#filter-panel")
    summary = panel.locator("summary")
    checkbox = page.locator(GROUP_3_2)

    # finder.js ran (the page has loaded) and closed the panel that the HTML leaves open.
    assert panel.get_attribute("open") is None, "the filter panel is open on a narrow screen"
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(f"{TOTAL} results")
    expect(checkbox).to_be_hidden()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= MOBILE["width"], f"horizontal scroll: {scroll_width}px wide"

    summary.click()
    expect(panel).to_have_attribute("open", "")
    expect(checkbox).to_be_visible()
    checkboxes = panel.locator('input[type="checkbox"]')
    assert checkboxes.count() >= 10  # 7 sub-working groups, 3 working groups, organizations
    expect(panel.locator('input[type="checkbox"]:visible')).to_have_count(checkboxes.count())
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= MOBILE["width"], f"horizontal scroll when open: {scroll_width}px wide"
    # The opened facets (hidden during the page-wide check) pass axe too.
    results = Axe().run(page, context="#filter-panel", options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
