import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from initiatives.models import Contact, Initiative, Organization, SubWorkingGroup, WorkingGroup
from initiatives.seeding.loader import load_seed_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SEED = ROOT / "fixtures" / "sample_seed.json"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real catalogue once into the test database; each test rolls back its changes."""
    with django_db_blocker.unblock():
        load_seed_file(settings.SEED_FILE)


@pytest.fixture
def catalogue(db):
    """The real catalogue (118 initiatives), as loaded from the seed file."""
    return Initiative.objects.published()


@pytest.fixture
def empty_catalogue(db):
    """No catalogue data at all, for tests of loading (inside the test's transaction)."""
    Initiative.objects.all().delete()
    Contact.objects.all().delete()
    Organization.objects.all().delete()
    SubWorkingGroup.objects.all().delete()
    WorkingGroup.objects.all().delete()


@pytest.fixture
def sample_seed(tmp_path):
    """A writable copy of the small sample seed file and its parsed content."""
    path = tmp_path / "seed.json"
    shutil.copy(SAMPLE_SEED, path)
    return path, json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Staff users are created in tests; the production hasher's slowness is not under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test sees spelling suggestions and derived data from its own data, not an earlier
    test's (a rolled-back test leaves the catalogue version where it found it)."""
    cache.clear()


def registration_form(**changes) -> dict:
    """A valid register-interest submission (a fresh token each time); ``None`` drops a field."""
    from initiatives.registrations.protection import new_token

    data = {
        "token": new_token(),
        "initiatives": ["1101", "2206A", "3212"],
        "full_name": "Maria Gómez",
        "job_title": "Head of Precursor Control",
        "agency": "Ministry of Health",
        "country": "CO",
        "email": "maria.gomez@minsalud.gov.co",
        "phone": "+57 1 330 5000",
        "message": "We would like to join.\r\nThank you.",
        "consent": "on",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def admin_change_form(initiative, **changes) -> dict:
    """The admin change form of an initiative as it stands, with some values changed."""
    data = {
        "code": initiative.code,
        "number": initiative.number,
        "sub_working_group": initiative.sub_working_group_id,
        "title": initiative.title,
        "description": initiative.description,
        "attribution_evidence": initiative.attribution_evidence,
        "is_published": "on",
        "source_notes": "[]",
        # The translations inline, with none added.
        "translations-TOTAL_FORMS": "0",
        "translations-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def sign_in_with_second_factor(client, user):
    """Sign a staff user in as the admin requires: a session verified with a confirmed
    authenticator app (TOTP) of theirs, as after the password and code steps. Returns the
    device."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def editor_client(client, db):
    """A client signed in as a Coalition editor (password and second factor)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from initiatives.roles import EDITOR

    user = get_user_model().objects.create_user("ed", "ed@example.org", "x", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITOR))
    sign_in_with_second_factor(client, user)
    return client


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback, with Django's e-mail (a live server's thread too)
    pointed at it."""
    from tests.smtp_server import SMTPServer

    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
