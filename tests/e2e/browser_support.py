"""Debian's Chromium driven by Playwright, shared by the browser test modules."""

import os
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
MISSING_CHROMIUM = (
    f"The browser tests need Chromium at {CHROMIUM}, which is missing or not executable: run "
    "`make browser` (apt-get install chromium). Playwright's own browser download is not used."
)


def chromium_available() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


def chromium_session():
    """Yield one launched browser (for a module-scoped fixture), or None if it is missing."""
    if not chromium_available():
        yield None
        return
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


# axe-core's rules for every page: WCAG 2.0/2.1/2.2 A and AA, and best practice.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}

DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 740}


def axe_report(page, name: str) -> str:
    """axe-core's violations on the page as a readable report ("" when there are none)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    return f"{name}:\n{results.generate_report()}" if results.violations_count else ""
