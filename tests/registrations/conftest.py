"""Fixtures of the registration tests."""

import pytest

from initiatives.models import Contact, Initiative, Organization


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
