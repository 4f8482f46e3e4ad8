"""What the browser tests share: one Chromium per test module, and the real catalogue on the
live server."""

import pytest
from django.conf import settings

from initiatives.seeding.loader import load_seed_file
from tests.e2e.browser_support import MISSING_CHROMIUM, chromium_session


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
