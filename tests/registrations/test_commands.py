"""The registrations app's commands: purge_registrations and deliver_emails."""

import io
import signal
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from initiatives.registrations.models import OutboundEmail, Registration
from initiatives.seeding.loader import load_seed_file
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


@pytest.fixture
def signal_handlers_kept():
    """deliver_emails installs its own SIGTERM and SIGINT handlers: give pytest its own back."""
    kept = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    yield
    for number, handler in kept.items():
        signal.signal(number, handler)


# The worker closes stale database connections between rounds, which a test's transaction
# would not survive: this one commits.
@pytest.mark.django_db(transaction=True)
def test_deliver_emails_once_sends_what_is_due_and_says_so(
    client, smtp_server, signal_handlers_kept
):
    load_seed_file(settings.SEED_FILE)
    client.post("/register/", registration_form(initiatives=["1101"]))
    assert OutboundEmail.objects.filter(status="pending").count() == 2

    out = io.StringIO()
    call_command("deliver_emails", "--once", stdout=out)

    assert out.getvalue() == "sent 2, to retry 0, failed 0\n"
    assert sorted(message["To"] for message in smtp_server.messages) == [
        "maria.gomez@minsalud.gov.co",
        "secretariat@coalition.example",
    ]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
    out = io.StringIO()
    call_command("deliver_emails", "--once", stdout=out)
    assert out.getvalue() == ""  # nothing left to send
