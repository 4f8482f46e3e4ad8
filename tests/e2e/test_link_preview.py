"""The detail page's JSON-LD under the site's Content-Security-Policy, in a real Chromium.

The policy allows no inline script. The JSON-LD element is a data block (its type is not
JavaScript): the browser never runs it, so the policy does not apply and it needs no nonce,
which the page cache, storing page bodies, could not keep fresh. These tests check that no
violation is reported, fresh or from the page cache, and that the listener would report one.
"""

import os
import uuid

# Playwright's sync API runs an event loop in this thread (see test_browser.py).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402
from django.core.cache import caches  # noqa: E402

from tests.e2e.browser_support import MISSING_CHROMIUM  # noqa: E402

# Runs before the page's own content: every violation the page causes is recorded.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""
READ_JSON_LD = """() => Array.from(
  document.querySelectorAll('script[type="application/ld+json"]'),
  (script) => JSON.parse(script.textContent),
)"""


@pytest.fixture
def watched_page(browser):
    """A page whose CSP violations (events and console reports) are collected."""
    if browser is None:
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    context = browser.new_context()
    context.set_default_timeout(10_000)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.console_reports = []
    page.on(
        "console",
        lambda message: (
            page.console_reports.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()


def violations(page) -> list[str]:
    return page.evaluate("window.__violations") + page.console_reports


@pytest.fixture
def page_cache_on(settings, monkeypatch):
    """The page cache as in production (the live server runs in this process), with what it
    stores and replays recorded (on the cache class: each thread has its own cache object)."""
    release = f"test-{uuid.uuid4().hex}"
    settings.PAGE_CACHE_SECONDS = 600
    settings.PAGE_CACHE_RELEASE = release
    cache_class = type(caches["pages"])
    recorded = {"stored": 0, "replayed": 0}
    original_set, original_get = cache_class.set, cache_class.get

    def recording_set(self, key, *args, **kwargs):
        recorded["stored"] += key.startswith(release)
        return original_set(self, key, *args, **kwargs)

    def recording_get(self, key, *args, **kwargs):
        value = original_get(self, key, *args, **kwargs)
        recorded["replayed"] += key.startswith(release) and value is not None
        return value

    monkeypatch.setattr(cache_class, "set", recording_set)
    monkeypatch.setattr(cache_class, "get", recording_get)
    return recorded


@pytest.mark.parametrize("language", ["", "/fr", "/ar"])
def test_the_json_ld_is_read_without_a_csp_violation(live_catalogue, watched_page, language):
    response = watched_page.goto(f"{live_catalogue}{language}/initiatives/3212/")
    assert response.status == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    data = watched_page.evaluate(READ_JSON_LD)
    assert len(data) == 1
    assert data[0]["@type"] == "CreativeWork"
    assert data[0]["identifier"] == "3212"
    assert data[0]["url"] == f"{live_catalogue}{language}/initiatives/3212/"
    assert data[0]["provider"]["alternateName"]
    watched_page.wait_for_load_state("load")
    assert violations(watched_page) == []


def test_a_page_from_the_page_cache_has_no_violation_either(
    live_catalogue, watched_page, page_cache_on
):
    url = f"{live_catalogue}/initiatives/2206A/"
    assert watched_page.goto(url).status == 200
    assert page_cache_on == {"stored": 1, "replayed": 0}
    assert watched_page.goto(url).status == 200
    assert page_cache_on == {"stored": 1, "replayed": 1}
    assert watched_page.evaluate(READ_JSON_LD)[0]["identifier"] == "2206A"
    assert violations(watched_page) == []


def test_the_listener_reports_an_inline_script_the_policy_blocks(live_catalogue, watched_page):
    """The control: an inline script (what a nonce would be for) is blocked and reported."""
    watched_page.goto(f"{live_catalogue}/initiatives/3212/")
    watched_page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__ran = true";
          document.head.appendChild(script);
        }"""
    )
    watched_page.wait_for_function("window.__violations.length > 0")
    assert watched_page.evaluate("window.__ran === undefined")
    assert any(v.startswith("script-src") for v in violations(watched_page))
