"""Staff sign-in with a second factor, end to end in a real browser.

Headless Chromium (Debian's, at /usr/bin/chromium) against pytest-django's live server: a new
staff account signs in with its password and is led through the set-up wizard (the test reads
the key the page shows for typing into an authenticator app, and computes the app's codes from
it), makes recovery codes, reaches the admin; then signs in again, where a wrong code and a
replayed code are refused and a fresh one lets it in; a recovery code works once, not twice.
"""

import os
import time
from base64 import b32decode
from io import StringIO

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a
# thread with a running loop unless told it is safe (the test thread never shares connections).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django_otp.oath import totp  # noqa: E402
from django_otp.plugins.otp_static.models import StaticToken  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

USERNAME = "amina"
PASSWORD = "a-Long-enough-pass-phrase-42"
REFUSED = "Invalid token. Please make sure you have entered it correctly."


@pytest.fixture
def page(browser, transactional_db, live_server):
    call_command(
        "create_staff_user",
        username=USERNAME,
        email="amina@coalition.example",
        role="editor",
        password=PASSWORD,
        no_input=True,
        stdout=StringIO(),
    )
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def code_from(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app set up with this key shows (now, or that many steps later)."""
    value = totp(b32decode(secret), step=30, t0=0, digits=6, drift=steps_ahead)
    return f"{value:06d}"


def sign_in_with_password(page):
    page.goto("/admin/")
    expect(page).to_have_url("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Next").click()


def enter_code(page, code):
    page.get_by_label("Token").fill(code)
    page.get_by_role("button", name="Next").click()


def sign_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Logged out")).to_be_visible()


def test_staff_sign_in_with_set_up_codes_and_recovery_codes(page, live_server):
    # First sign-in: the password leads to the set-up wizard, and nothing else opens.
    sign_in_with_password(page)
    expect(page).to_have_url("/admin/two-factor/setup/")
    page.goto("/admin/initiatives/initiative/")
    expect(page).to_have_url("/admin/two-factor/setup/")
    page.get_by_role("button", name="Next").click()

    # The QR code and the key to type by hand.
    qr = page.get_by_role("img", name="QR Code")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")
    secret = page.locator("a[href^='otpauth://']").inner_text().strip()
    assert len(secret) == 32
    set_up_code = code_from(secret)
    enter_code(page, set_up_code)
    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    device = TOTPDevice.objects.get(user__username=USERNAME)
    assert device.confirmed and b32decode(secret).hex() == device.key

    page.get_by_role("link", name="Make recovery codes").click()
    page.get_by_role("button", name="Make new recovery codes").click()
    recovery_codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(recovery_codes) == 10 and len(set(recovery_codes)) == 10
    page.get_by_role("link", name="Go to the administration").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    sign_out(page)

    # Second sign-in: a wrong code, then the code already used at set-up, are refused.
    sign_in_with_password(page)
    wrong = f"{(int(set_up_code) + 1) % 10**6:06d}"
    enter_code(page, wrong)
    expect(page.get_by_text(REFUSED)).to_be_visible()
    time.sleep(1.1)  # django-otp slows repeated failures down: 1 s, then 2 s
    enter_code(page, set_up_code)
    expect(page.get_by_text(REFUSED)).to_be_visible()
    page.goto("/admin/")
    expect(page).to_have_url("/admin/login/?next=/admin/")

    # A code the app has not shown before lets the user in.
    sign_in_with_password(page)
    time.sleep(2.1)
    enter_code(page, code_from(secret, steps_ahead=1))
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    sign_out(page)

    # A recovery code signs in once.
    sign_in_with_password(page)
    page.get_by_role("button", name="Use Backup Token").click()
    enter_code(page, recovery_codes[0])
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    assert not StaticToken.objects.filter(token=recovery_codes[0]).exists()
    assert StaticToken.objects.filter(device__user__username=USERNAME).count() == 9
    sign_out(page)

    sign_in_with_password(page)
    page.get_by_role("button", name="Use Backup Token").click()
    enter_code(page, recovery_codes[0])
    expect(page.get_by_text(REFUSED)).to_be_visible()
    page.goto("/admin/")
    expect(page).to_have_url("/admin/login/?next=/admin/")
