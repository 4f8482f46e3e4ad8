"""The Arabic and Chinese interfaces in a real browser: axe-core at desktop and mobile widths,
the language switcher keeping filters, the first visit following the browser's language, and
the right-to-left layout mirroring the left-to-right one.
"""

import os

# Playwright's sync API runs an event loop in this thread (see test_browser.py).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402
from django.utils import translation  # noqa: E402
from django.utils.translation import gettext  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from tests.e2e.browser_support import DESKTOP, MOBILE, axe_report  # noqa: E402

VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["1280", "375"])
LANGUAGES = pytest.mark.parametrize("language", ["ar", "zh-hans"])
GROUP_3_2 = 'input[type="checkbox"][name="group"][value="3.2"]'


def translated(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


@LANGUAGES
@VIEWPORTS
def test_list_detail_register_and_shortlist_have_no_axe_violations(
    live_catalogue, open_page, language, viewport
):
    page = open_page(viewport)
    base = f"{live_catalogue}/{language}"
    pages = {
        "list": ("/", "Find technical-assistance initiatives"),
        "search": ("/?q=naloxone", "Search initiatives"),
        "detail": ("/initiatives/3212/", "Point of contact"),
        "register": ("/register/?initiative=3212", "Your details"),
    }
    reports = []
    for name, (path, message) in pages.items():
        response = page.goto(base + path)
        assert response.status == 200, path
        expect(page.locator("main")).to_contain_text(translated(language, message))
        assert page.evaluate("document.documentElement.lang") == language
        reports.append(axe_report(page, f"{name} ({language}{path})"))

    page.goto(base + "/initiatives/3212/")
    page.locator(".actions button[name='add']").click()
    page.goto(base + "/shortlist/")
    expect(page.locator("#shortlist-3212")).to_be_visible()
    reports.append(axe_report(page, f"shortlist ({language})"))
    reports = [report for report in reports if report]
    assert not reports, "\n\n".join(reports)


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_the_switcher_keeps_the_search_and_filters(live_catalogue, open_page, javascript):
    page = open_page(javascript=javascript)
    page.goto(live_catalogue + "/?q=naloxone")
    page.locator(GROUP_3_2).check()
    if not javascript:  # with it, the list updates in place, and the address with it
        page.get_by_role("button", name=translated("en", "Apply filters")).click()
    expect(page).to_have_url(live_catalogue + "/?q=naloxone&group=3.2&sort=")

    page.locator('.language-switcher button[lang="ar"]').click()
    expect(page).to_have_url(live_catalogue + "/ar/?q=naloxone&group=3.2&sort=")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    expect(page.locator(GROUP_3_2)).to_be_checked()
    expect(page.locator("#id_q")).to_have_value("naloxone")

    # The choice is remembered: the English address now opens the Arabic page.
    page.goto(live_catalogue + "/initiatives/3212/")
    expect(page).to_have_url(live_catalogue + "/ar/initiatives/3212/")


def test_a_first_visit_follows_the_browsers_language(live_catalogue, open_page):
    page = open_page(locale="zh-CN")
    page.goto(live_catalogue + "/")
    expect(page).to_have_url(live_catalogue + "/zh-hans/")
    page = open_page(locale="en-GB")
    page.goto(live_catalogue + "/")
    expect(page).to_have_url(live_catalogue + "/")


def box(page, selector: str) -> dict:
    return page.locator(selector).bounding_box()


def test_the_arabic_layout_mirrors_the_english_one(live_catalogue, open_page):
    page = open_page(DESKTOP)
    page.goto(live_catalogue + "/")
    filters, results = box(page, "#filter-panel"), box(page, "#results")
    assert filters["x"] < results["x"]  # English: the facets on the left

    page.goto(live_catalogue + "/ar/")
    filters, results = box(page, "#filter-panel"), box(page, "#results")
    assert filters["x"] > results["x"]  # Arabic: on the right
    assert filters["x"] + filters["width"] <= DESKTOP["width"]
    # The code and the English title of a card stay left to right.
    card = page.locator("#i-1101 .initiative-title")
    assert card.locator(".code").evaluate("element => getComputedStyle(element).direction") == (
        "ltr"
    )
    assert card.locator('[lang="en"]').evaluate("e => getComputedStyle(e).direction") == "ltr"
    # The site name (start) sits right of the header's links (end).
    assert box(page, ".site-name")["x"] > box(page, ".language-switcher")["x"]


@LANGUAGES
def test_narrow_pages_do_not_scroll_sideways(live_catalogue, open_page, language):
    page = open_page(MOBILE)
    for path in ("/", "/initiatives/3212/", "/register/?initiative=3212"):
        page.goto(f"{live_catalogue}/{language}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= MOBILE["width"], f"{language}{path} is {width}px wide"
