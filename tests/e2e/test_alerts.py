"""Following a search end to end in a real browser: from a search page to "check your inbox",
then the confirmation link, the manage page and the unsubscribe page, each checked with
axe-core, in English and Arabic (and once without JavaScript)."""

import os
import re

# Playwright's sync API runs an event loop in this thread (see test_browser.py).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402
from django.utils import translation  # noqa: E402
from django.utils.translation import gettext  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from initiatives.alerts import tokens  # noqa: E402
from initiatives.alerts.models import Subscription  # noqa: E402
from initiatives.registrations.models import OutboundEmail  # noqa: E402
from tests.e2e.browser_support import axe_report  # noqa: E402

ADDRESS = "lena.novak@health.gov.example"


def translated(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


@pytest.fixture
def site(live_catalogue, settings):
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    settings.REGISTRATION_RATE_LIMITS = {"ip": (10_000, 3600), "email": (10_000, 3600)}
    return live_catalogue


@pytest.mark.parametrize(
    ("language", "javascript"), [("en", True), ("ar", True), ("en", False)], ids=str
)
def test_follow_a_search_confirm_manage_and_stop(site, open_page, language, javascript):
    page = open_page(javascript=javascript)
    prefix = "" if language == "en" else f"/{language}"
    say = lambda message: translated(language, message)  # noqa: E731
    reports = []
    # axe runs as a script in the page: the runs with JavaScript check the same pages.
    audit = axe_report if javascript else (lambda page, name: "")

    page.goto(f"{site}{prefix}/?q=naloxone&group=3.2")
    page.get_by_role("link", name=say("Get e-mail alerts for this search")).first.click()
    expect(page.locator("h1")).to_have_text(say("Get e-mail alerts for this search"))
    expect(page.locator(".followed-search li").first).to_contain_text("naloxone")
    assert page.evaluate("document.documentElement.dir") == ("rtl" if language == "ar" else "ltr")

    # A mistake first: the error summary links to the field, which describes its error.
    page.locator("#id_email").fill("not an address")
    page.get_by_role("button", name=say("Send me a link to confirm")).click()
    expect(page.locator("#error-summary")).to_be_visible()
    if javascript:
        expect(page.locator("#error-summary")).to_be_focused()
    described = page.locator("#id_email").get_attribute("aria-describedby") or ""
    assert "id_email_error" in described
    reports.append(audit(page, f"subscribe with an error ({language})"))

    page.locator("#id_email").fill(ADDRESS)
    page.get_by_label(say("Weekly digest")).check()
    reports.append(audit(page, f"subscribe ({language})"))
    page.get_by_role("button", name=say("Send me a link to confirm")).click()
    expect(page.locator("h1")).to_have_text(say("Check your inbox"))
    reports.append(audit(page, f"check your inbox ({language})"))

    subscription = Subscription.objects.get()
    assert (subscription.search, subscription.frequency) == ("group=3.2&q=naloxone", "weekly")
    assert subscription.language == language
    email = OutboundEmail.objects.get(kind=OutboundEmail.Kind.ALERT_CONFIRMATION)
    confirm_url = re.search(r"https?://\S+/alerts/confirm/\S+/", email.body_text).group()
    assert confirm_url.startswith(f"{site}{prefix}/alerts/confirm/")

    page.goto(confirm_url)
    expect(page.locator('meta[name="robots"]')).to_have_attribute("content", "noindex, nofollow")
    reports.append(audit(page, f"confirm ({language})"))
    subscription.refresh_from_db()
    assert not subscription.is_confirmed
    page.get_by_role("button", name=say("Confirm my alert")).click()
    expect(page.locator("h1")).to_have_text(say("Your alert is confirmed"))
    subscription.refresh_from_db()
    assert subscription.is_confirmed

    page.get_by_role("link", name=say("Manage your alerts")).click()
    expect(page.locator("h1")).to_have_text(say("Your e-mail alerts"))
    reports.append(audit(page, f"manage ({language})"))
    page.locator(f"#id_frequency_{subscription.reference}").select_option("immediately")
    page.get_by_role("button", name=say("Save")).click()
    expect(page.locator("main .messages")).to_be_visible()
    subscription.refresh_from_db()
    assert subscription.frequency == "immediately"

    token = tokens.make(subscription, tokens.UNSUBSCRIBE)
    page.goto(f"{site}{prefix}/alerts/unsubscribe/{token}/")
    expect(page.locator("h1")).to_have_text(say("Stop this e-mail alert"))
    reports.append(audit(page, f"unsubscribe ({language})"))
    page.get_by_role("button", name=say("Stop this alert")).click()
    expect(page.locator("h1")).to_have_text(say("Alert stopped"))
    reports.append(audit(page, f"unsubscribed ({language})"))
    assert not Subscription.objects.exists()
    assert not OutboundEmail.objects.filter(kind=OutboundEmail.Kind.ALERT_CONFIRMATION).exists()

    reports = [report for report in reports if report]
    assert not reports, "\n\n".join(reports)
