"""Staff sign-in with a second factor: password, then a code from an authenticator app (or a
single-use recovery code); the lockout counts wrong codes; codes cannot be replayed; every staff
page needs it; an administrator's reset of someone's devices is recorded.

The whole journey in a real browser (set-up wizard included) is in tests/e2e/test_staff_sign_in.py.
"""

import time

import pytest
from django.contrib.admin.models import LogEntry
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import sign_in_with_second_factor
from tests.factories import STAFF_PASSWORD, make_initiative, make_staff_user

pytestmark = pytest.mark.django_db
PASSWORD = STAFF_PASSWORD
WIZARD = "staff_login_view-current_step"


staff = make_staff_user


def enrol(user) -> TOTPDevice:
    """An authenticator app the user has set up (as the set-up wizard leaves it)."""
    return TOTPDevice.objects.create(user=user, name="default", confirmed=True)


def code_of(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or that many 30-second steps later)."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, steps_ahead)
    return f"{value:0{device.digits}d}"


def password_step(client, username, password=PASSWORD):
    return client.post(
        "/admin/login/?next=/admin/",
        {WIZARD: "auth", "auth-username": username, "auth-password": password},
    )


def code_step(client, code, step="token"):
    return client.post("/admin/login/?next=/admin/", {WIZARD: step, f"{step}-otp_token": code})


def test_create_staff_user_explains_the_next_step():
    user = staff("editor", "newcomer")
    assert "Next step: newcomer signs in at /admin/login/" in user.command_output
    assert "set up two-factor sign-in" in user.command_output


def test_sign_in_takes_the_password_then_a_code(client):
    user = staff("editor", "anna")
    device = enrol(user)
    page = password_step(client, "anna")
    assert page.status_code == 200
    assert 'name="token-otp_token"' in page.content.decode()
    # The password alone opens nothing.
    assert client.get("/admin/").status_code == 302

    response = code_step(client, code_of(device))
    assert response.status_code == 302 and response["Location"] == "/admin/"
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "Site administration" in index.content.decode()


def test_a_code_cannot_be_replayed(client):
    user = staff("editor", "anna")
    device = enrol(user)
    code = code_of(device)
    password_step(client, "anna")
    assert code_step(client, code).status_code == 302
    client.logout()

    password_step(client, "anna")
    replay = code_step(client, code)
    assert replay.status_code == 200
    assert "Invalid token" in replay.content.decode() or "not valid" in replay.content.decode()
    assert client.get("/admin/").status_code == 302
    # The next code of the app still works (after django-otp's one-second slow-down).
    time.sleep(1.1)
    assert code_step(client, code_of(device, steps_ahead=1)).status_code == 302


def test_wrong_codes_count_towards_the_lockout(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = staff("editor", "target")
    device = enrol(user)
    right = code_of(device)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    password_step(client, "target")
    assert code_step(client, wrong).status_code == 200
    assert code_step(client, wrong).status_code == 200
    locked = code_step(client, wrong)
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
    # Even the right code, or the right password again, is refused during the cool-off.
    time.sleep(4.1)  # past django-otp's own slow-down, so only the lockout refuses it
    assert code_step(client, right).status_code == 429
    assert password_step(client, "target").status_code == 429
    assert client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_still_lock_the_account(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    staff("editor", "target")
    for _ in range(3):
        response = password_step(client, "target", "wrong guess")
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert password_step(client, "target").status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/quality/", "/admin/initiatives/initiative/", "/admin/auth/user/"]
)
def test_a_user_without_a_device_is_sent_to_set_up(client, catalogue, path):
    user = staff("administrator", "fresh")
    # Password accepted, and no device yet: the sign-in ends at the set-up wizard.
    response = password_step(client, "fresh")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == "/admin/two-factor/setup/"
    setup = client.get("/admin/two-factor/setup/")
    assert setup.status_code == 200
    assert "Enable Two-Factor Authentication" in setup.content.decode()


def test_a_session_without_the_second_factor_is_sent_to_sign_in(client, catalogue):
    user = staff("editor", "half")
    enrol(user)
    client.force_login(user)  # a password-only session
    response = client.get("/admin/quality/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=%2Fadmin%2Fquality%2F"


def test_drafts_are_previewed_only_after_the_second_factor(client, catalogue):
    draft = make_initiative(sub_working_group="1.1", is_published=False)
    user = staff("editor", "ed")
    client.force_login(user)
    assert client.get(draft.get_absolute_url()).status_code == 404
    sign_in_with_second_factor(client, user)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_an_administrator_resets_a_users_devices_and_it_is_recorded(client, catalogue):
    boss = staff("administrator", "boss")
    sign_in_with_second_factor(client, boss)
    anna = staff("editor", "anna")
    enrol(anna)
    codes = StaticDevice.objects.create(user=anna, name="backup", confirmed=True)
    codes.token_set.create(token="abcd1234")

    response = client.post(
        "/admin/auth/user/", {"action": "reset_two_factor", "_selected_action": [anna.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=anna).exists()
    assert not StaticDevice.objects.filter(user=anna).exists()
    entry = LogEntry.objects.get(object_id=str(anna.pk), user=boss)
    assert entry.get_change_message() == (
        "Reset two-factor sign-in: removed StaticDevice 'backup', TOTPDevice 'default'"
    )
    history = client.get(f"/admin/auth/user/{anna.pk}/history/").content.decode()
    assert "Reset two-factor sign-in" in history and "boss" in history

    # Anna's next sign-in leads to set-up again.
    client.logout()
    password_step(client, "anna")
    assert client.get("/admin/")["Location"] == "/admin/two-factor/setup/"


def test_an_editor_cannot_reset_devices(client, catalogue):
    editor = staff("editor", "ed")
    sign_in_with_second_factor(client, editor)
    other = staff("editor", "other")
    enrol(other)
    response = client.post(
        "/admin/auth/user/", {"action": "reset_two_factor", "_selected_action": [other.pk]}
    )
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=other).exists()


def test_a_verified_staff_session_still_ends_when_idle(client, catalogue, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 600
    sign_in_with_second_factor(client, staff("editor", "ed"))
    assert client.get("/admin/").status_code == 200
    assert client.session.get_expiry_age() == 600
