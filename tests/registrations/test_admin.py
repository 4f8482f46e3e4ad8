"""Staff follow registrations and their e-mails in the admin."""

import pytest

from initiatives.registrations.delivery import deliver_due
from initiatives.registrations.models import OutboundEmail, Registration
from tests.conftest import registration_form, sign_in_with_second_factor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick_forms")]


def test_staff_follow_registrations_and_their_delivery(client, routed, smtp_server):
    client.post("/register/", registration_form())
    client.post("/register/", registration_form(email="other@gov.example", country="KE"))
    deliver_due()
    OutboundEmail.objects.filter(registration__email="other@gov.example", kind="request").update(
        status="failed", last_error="SMTPRecipientsRefused: 550 no such user"
    )
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_superuser("staff", "staff@example.org", "pw-123456")
    sign_in_with_second_factor(client, staff)

    changelist = client.get("/admin/registrations/registration/")
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == 2
    failed = client.get("/admin/registrations/registration/?delivery=failed")
    assert [r.email for r in failed.context["cl"].result_list] == ["other@gov.example"]
    assert "failed" in failed.content.decode()
    by_country = client.get("/admin/registrations/registration/?country=KE")
    assert by_country.context["cl"].result_count == 1
    by_org = client.get("/admin/registrations/registration/?organization=UNODC")
    assert by_org.context["cl"].result_count == 2
    searched = client.get("/admin/registrations/registration/?q=Gómez")
    assert searched.context["cl"].result_count == 2
    registration = Registration.objects.get(email="other@gov.example")
    page = client.get(f"/admin/registrations/registration/{registration.pk}/change/")
    assert "550 no such user" in page.content.decode()

    exported = client.post(
        "/admin/registrations/registration/",
        {"action": "export_csv", "_selected_action": [registration.pk]},
    )
    assert exported["Content-Type"].startswith("text/csv")
    assert "other@gov.example" in exported.content.decode("utf-8-sig")

    client.post(
        "/admin/registrations/registration/",
        {"action": "resend_registration_emails", "_selected_action": [registration.pk]},
    )
    # The failed request is queued again; the sent ones are queued as copies.
    assert OutboundEmail.objects.filter(registration=registration, status="pending").count() == 4
    before = len(smtp_server.messages)
    assert deliver_due().sent == 4
    assert len(smtp_server.messages) == before + 4
