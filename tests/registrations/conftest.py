"""Fixtures of the registration tests."""

import pytest

from initiatives.models import Contact, Initiative, Organization
from tests.smtp_server import SMTPServer


@pytest.fixture
def quick_forms(settings):
    """No anti-bot delay, a known secretariat address, no copies to it."""
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    settings.COALITION_CONTACT_EMAIL = "secretariat@coalition.example"
    settings.COPY_SECRETARIAT = False


@pytest.fixture
def routed(catalogue):
    """UNODC has a contact address; 3212 has its own point of contact; INCB has none."""
    unodc = Organization.objects.get(acronym="UNODC")
    unodc.email = "drugs@unodc.example"
    unodc.save()
    contact = Contact.objects.create(
        name="Ana Example",
        job_title="Programme Officer",
        organization=unodc,
        email="ana@un.example",
    )
    Initiative.objects.filter(code="3212").update(point_of_contact=contact)
    return contact


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback, with Django's e-mail pointed at it."""
    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
