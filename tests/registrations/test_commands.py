"""The registrations app's commands: purge_registrations and deliver_emails."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from initiatives.registrations.models import OutboundEmail, Registration
from tests.conftest import registration_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick_forms")]


def test_retention_deletes_old_registrations_only(client, routed):
    client.post("/register/", registration_form())
    client.post("/register/", registration_form(email="recent@gov.example"))
    old = Registration.objects.get(email="maria.gomez@minsalud.gov.co")
    Registration.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=740))

    call_command("purge_registrations", stdout=io.StringIO())

    assert list(Registration.objects.values_list("email", flat=True)) == ["recent@gov.example"]
    assert OutboundEmail.objects.filter(registration_id=old.pk).count() == 0
