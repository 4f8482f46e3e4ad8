"""What the browser tests share: one Chromium per test module, and the real catalogue on the
live server."""

import pytest
from django.conf import settings

from initiatives.seeding.loader import load_seed_file
from tests.e2e.browser_support import DESKTOP, MISSING_CHROMIUM, chromium_session


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module; the tests using it fail when Chromium is missing."""
    for launched in chromium_session():
        if launched is None:
            pytest.fail(MISSING_CHROMIUM, pytrace=False)
        yield launched


@pytest.fixture
def live_catalogue(transactional_db, live_server):
    """The real seed file, committed so that the live server's thread sees it."""
    load_seed_file(settings.SEED_FILE)
    return live_server.url


@pytest.fixture
def open_page(browser):
    """Pages in fresh browser contexts (closed after the test); ``locale`` sets
    Accept-Language."""
    contexts = []

    def _open(viewport=DESKTOP, javascript=True, locale="en-US"):
        context = browser.new_context(
            viewport=viewport, java_script_enabled=javascript, locale=locale
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()
