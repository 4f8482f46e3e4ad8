"""Registering interest: stored first, delivered once per recipient, bad input refused."""

import io
import re
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from initiatives.models import Contact, Initiative, Organization
from initiatives.registrations.delivery import deliver_due
from initiatives.registrations.models import OutboundEmail, RateLimitCounter, Registration
from tests.conftest import registration_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_forms(settings):
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


def test_the_form_offers_the_initiative_asked_for(client, catalogue):
    html = client.get("/register/?initiative=2206a").content.decode()
    assert 'value="2206A" id="initiative-2206A" checked' in html
    assert "deleted 24 months after" in html
    assert client.get("/initiatives/2206A/register-interest/")["Location"] == (
        "/register/?initiative=2206A"
    )


def test_a_registration_is_stored_with_its_queue_before_any_mail_is_sent(client, routed):
    response = client.post("/register/", registration_form())

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/register/done/{registration.reference}/"
    assert sorted(registration.initiatives.values_list("code", flat=True)) == [
        "1101",
        "2206A",
        "3212",
    ]
    assert registration.message == "We would like to join.\nThank you."
    routes = {item.initiative.code: item.recipient for item in registration.items.all()}
    assert routes == {
        "1101": "secretariat@coalition.example",  # INCB: no contact address
        "2206A": "drugs@unodc.example",  # lead organization's address
        "3212": "ana@un.example",  # its own point of contact
    }
    emails = OutboundEmail.objects.filter(registration=registration)
    assert emails.count() == 4  # three recipients and the confirmation
    assert set(emails.values_list("status", flat=True)) == {"pending"}


def test_the_confirmation_page_says_what_went_where(client, routed):
    response = client.post("/register/", registration_form(), follow=True)
    html = response.content.decode()
    assert "Registration received" in html
    assert "Ana Example, UNODC (point of contact)" in html
    assert "United Nations Office on Drugs and Crime (UNODC)" in html
    assert "the Coalition secretariat" in html
    assert "not a guarantee of participation" in html
    # Only the browser that sent it sees it.
    from django.test import Client

    registration = Registration.objects.get()
    assert Client().get(f"/register/done/{registration.reference}/").status_code == 404


def test_one_email_per_recipient_with_reply_to_and_content(client, routed, smtp_server):
    client.post("/register/", registration_form())
    report = deliver_due()

    assert report.sent == 4 and report.retried == 0
    by_recipient = {
        tuple(envelope[1]): message
        for envelope, message in zip(smtp_server.envelopes, smtp_server.messages, strict=True)
    }
    assert set(by_recipient) == {
        ("secretariat@coalition.example",),
        ("drugs@unodc.example",),
        ("ana@un.example",),
        ("maria.gomez@minsalud.gov.co",),
    }
    unodc = by_recipient[("drugs@unodc.example",)]
    assert unodc["Reply-To"] == "maria.gomez@minsalud.gov.co"
    assert unodc["Subject"] == "Registration of interest (Colombia): initiative 2206A"
    text = unodc.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "2206A International Network for Legislation on Drugs (INLOD)" in text
    assert "3212" not in text and "1101" not in text  # only this recipient's initiatives
    assert "Maria Gómez" in text and "Head of Precursor Control" in text
    assert "We would like to join." in text
    html = unodc.get_body(("html",)).get_content()
    assert "<li><a href=" in html and "Maria Gómez" in html
    confirmation = by_recipient[("maria.gomez@minsalud.gov.co",)]
    body = confirmation.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Ana Example, UNODC (point of contact), for:\n- 3212" in body
    assert "the Coalition secretariat, for:\n- 1101" in body
    assert "not a guarantee of participation" in body
    assert OutboundEmail.objects.filter(status="sent").count() == 4
    # Nothing more to send: a second round sends nothing.
    assert deliver_due().sent == 0
    assert len(smtp_server.messages) == 4


def test_the_secretariat_can_be_copied(client, routed, smtp_server, settings):
    settings.COPY_SECRETARIAT = True
    client.post("/register/", registration_form(initiatives=["2206A"]))
    deliver_due()
    request = next(m for m in smtp_server.messages if m["To"] == "drugs@unodc.example")
    assert request["Cc"] == "secretariat@coalition.example"


def test_smtp_down_then_back_delivers_once(client, routed, smtp_server):
    smtp_server.stop()
    response = client.post("/register/", registration_form(initiatives=["3212"]), follow=True)
    assert "Registration received" in response.content.decode()

    report = deliver_due()
    assert report.sent == 0 and report.retried == 1
    waiting = OutboundEmail.objects.filter(status="pending")
    assert waiting.count() == 2
    first = waiting.order_by("attempts").last()
    assert first.attempts == 1 and "Connection refused" in first.last_error
    assert first.next_attempt_at > timezone.now()  # backed off
    assert deliver_due().sent == 0  # not due yet: nothing is retried early

    smtp_server.start()
    OutboundEmail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert deliver_due().sent == 2
    assert deliver_due().sent == 0
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "ana@un.example",
        "maria.gomez@minsalud.gov.co",
    ]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_a_message_that_never_goes_through_ends_failed(routed, client, smtp_server, settings):
    from initiatives.registrations import delivery

    smtp_server.stop()
    client.post("/register/", registration_form(initiatives=["3212"]))
    for _ in range(3 * delivery.MAX_ATTEMPTS):
        OutboundEmail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        deliver_due()
    assert set(OutboundEmail.objects.values_list("attempts", flat=True)) == {delivery.MAX_ATTEMPTS}
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"failed"}


def test_a_message_whose_attempts_never_recorded_an_outcome_is_given_up(
    routed, client, smtp_server
):
    """Attempts that crashed the worker (no outcome recorded) still count towards the limit."""
    from initiatives.registrations import delivery

    client.post("/register/", registration_form(initiatives=["3212"]))
    stuck = OutboundEmail.objects.order_by("pk").first()
    OutboundEmail.objects.filter(pk=stuck.pk).update(attempts=delivery.MAX_ATTEMPTS)
    report = deliver_due()
    stuck.refresh_from_db()
    assert stuck.status == "failed" and "no outcome recorded" in stuck.last_error
    assert report.failed == 1 and report.sent == OutboundEmail.objects.count() - 1
    assert stuck.message_id not in {m["Message-ID"] for m in smtp_server.messages}


def test_a_double_submission_creates_one_registration(client, routed):
    data = registration_form()
    first = client.post("/register/", data)
    second = client.post("/register/", data)
    assert Registration.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert OutboundEmail.objects.count() == 4


def error_summary(html: str) -> list[str]:
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(r"<li>(.*?)</li>", summary, re.S)
    ]


BAD_INPUT = [
    ({"full_name": ""}, "full_name", "This field is required."),
    ({"email": "not-an-address"}, "email", "Enter a valid email address."),
    ({"email": "a@b.example\r\nBcc: x@evil.example"}, "email", "Enter a valid email address."),
    ({"full_name": "Eve\r\nBcc: x@evil.example"}, "full_name", "control character"),
    ({"agency": "Ministry\x00"}, "agency", "Null characters are not allowed."),
    ({"job_title": "Direc\u2028tor"}, "job_title", "control character"),
    ({"message": "x" * 2001}, "message", "at most 2000 characters"),
    ({"full_name": "x" * 121}, "full_name", "at most 120 characters"),
    ({"country": "XX"}, "country", "Select a valid choice"),
    ({"initiatives": []}, "initiatives", "Choose at least one initiative."),
    ({"initiatives": ["9999"]}, "initiatives", "9999 is not a published initiative."),
    ({"consent": None}, "consent", "You must agree"),
    ({"token": "forged"}, "token", "could not be verified"),
    ({"website": "http://spam.example"}, "website", "must be left empty"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_clearly_and_nothing_is_stored(
    client, routed, changes, field, message
):
    response = client.post("/register/", registration_form(**changes))

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert any(message in item for item in error_summary(html)), error_summary(html)
    assert Registration.objects.count() == 0
    assert OutboundEmail.objects.count() == 0
    # Everything typed is kept (apart from what was refused).
    if field != "agency":
        assert 'value="Ministry of Health"' in html


def test_an_unpublished_initiative_is_refused(client, routed):
    Initiative.objects.filter(code="2206A").update(is_published=False)
    response = client.post("/register/", registration_form())
    assert response.status_code == 400
    assert "2206A is not a published initiative." in response.content.decode()
    assert Registration.objects.count() == 0


def test_a_form_sent_too_quickly_is_refused(client, routed, settings):
    settings.REGISTRATION_MIN_FILL_SECONDS = 30
    response = client.post("/register/", registration_form())
    assert response.status_code == 400
    assert "sent too quickly" in response.content.decode()
    assert Registration.objects.count() == 0


def test_the_error_summary_links_to_each_field(client, routed):
    html = client.post("/register/", registration_form(full_name="", email="x")).content.decode()
    assert '<a href="#id_full_name">This field is required.</a>' in html
    assert '<a href="#id_email">Enter a valid email address.</a>' in html
    # The ids Django's widgets point aria-describedby at exist.
    assert 'aria-describedby="id_full_name_error"' in html
    assert '<div id="id_full_name_error">' in html


def test_html_is_escaped_in_pages_and_emails(client, routed, smtp_server):
    client.post(
        "/register/", registration_form(full_name="<b>Bold</b>", message="<script>x</script>")
    )
    response = client.get(Registration.objects.get().get_absolute_url())
    assert "&lt;b&gt;Bold&lt;/b&gt;" in response.content.decode()
    deliver_due()
    for message in smtp_server.messages:
        html = message.get_body(("html",)).get_content()
        assert "<script>" not in html and "<b>Bold" not in html


def test_no_registrant_text_reaches_an_email_header(client, routed, smtp_server):
    client.post(
        "/register/",
        registration_form(full_name="Eve X-Injected: yes", agency="Agency Subject: spoof"),
    )
    deliver_due()
    assert smtp_server.messages
    allowed = {
        "Content-Type",
        "MIME-Version",
        "Subject",
        "From",
        "To",
        "Cc",
        "Reply-To",
        "Date",
        "Message-ID",
        "Content-Transfer-Encoding",
    }
    for message in smtp_server.messages:
        assert set(message.keys()) <= allowed, message.keys()
        assert "Eve" not in message["Subject"] and "spoof" not in message["Subject"]


def test_rate_limit_per_address_answers_429_and_stores_nothing(client, routed, settings):
    settings.REGISTRATION_RATE_LIMITS = {"ip": (2, 3600), "email": (50, 3600)}
    for number in range(2):
        client.post("/register/", registration_form(email=f"person{number}@gov.example"))
    response = client.post("/register/", registration_form(email="third@gov.example"))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many requests" in response.content.decode()
    assert Registration.objects.count() == 2
    # Stored in PostgreSQL (shared by every process), hashed.
    per_address = RateLimitCounter.objects.get(key__startswith="ip:")
    assert per_address.count == 3
    assert "127.0.0.1" not in per_address.key


def test_rate_limit_per_email_address(client, routed, settings):
    settings.REGISTRATION_RATE_LIMITS = {"ip": (50, 3600), "email": (1, 3600)}
    client.post("/register/", registration_form())
    response = client.post("/register/", registration_form(email="MARIA.GOMEZ@minsalud.gov.co"))
    assert response.status_code == 429
    assert Registration.objects.count() == 1


def test_the_shortlist_works_without_javascript(client, catalogue):
    response = client.post("/shortlist/", {"add": "1101", "next": "/?q=precursor"})
    assert response["Location"] == "/?q=precursor"
    client.post("/shortlist/", {"add": "3212"})
    client.post("/shortlist/", {"add": "1101"})  # once only
    client.post("/shortlist/", {"add": "9999"})  # unknown: refused
    html = client.get("/shortlist/").content.decode()
    assert re.findall(r'<li id="shortlist-(\w+)">', html) == ["1101", "3212"]
    assert "Register interest in these 2 initiatives" in html
    form = client.get("/register/").content.decode()
    assert re.findall(r'value="(\w+)" id="initiative-\w+" checked', form) == ["1101", "3212"]
    client.post("/shortlist/", {"remove": "1101"})
    assert re.findall(r'<li id="shortlist-(\w+)">', client.get("/shortlist/").content.decode()) == [
        "3212"
    ]
    # An open redirect is not possible through "next".
    assert (
        client.post("/shortlist/", {"add": "2101", "next": "https://evil.example/"})["Location"]
        == "/shortlist/"
    )


def test_registering_empties_the_shortlist_of_what_was_sent(client, routed):
    for code in ("1101", "3212", "2105"):
        client.post("/shortlist/", {"add": code})
    client.post("/register/", registration_form(initiatives=["1101", "3212"]))
    assert re.findall(r'<li id="shortlist-(\w+)">', client.get("/shortlist/").content.decode()) == [
        "2105"
    ]


def test_list_and_detail_pages_offer_the_shortlist(client, catalogue):
    html = client.get("/").content.decode()
    assert html.count('form="shortlist-form" name="add"') == 118
    client.post("/shortlist/", {"add": "1101"})
    html = client.get("/").content.decode()
    assert html.count('form="shortlist-form" name="add"') == 117
    assert "My shortlist (1)" in html
    detail = client.get("/initiatives/1101/").content.decode()
    assert "On your shortlist" in detail


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_email_twice(settings):
    from django.conf import settings as live

    from initiatives.seeding.loader import load_seed_file
    from tests.smtp_server import SMTPServer

    load_seed_file(live.SEED_FILE)
    server = SMTPServer(delay=0.02)
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    settings.REGISTRATION_RATE_LIMITS = {"ip": (100, 3600), "email": (100, 3600)}
    try:
        from django.test import Client

        client = Client()
        for number in range(12):
            client.post(
                "/register/",
                registration_form(
                    email=f"official{number}@gov.example", initiatives=["1101", "2206A"]
                ),
            )
        assert OutboundEmail.objects.count() == 24

        def work():
            try:
                deliver_due()
            finally:
                connection.close()

        workers = [threading.Thread(target=work) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        ids = [message["Message-ID"] for message in server.messages]
        assert len(ids) == 24
        assert len(set(ids)) == 24
        assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
    finally:
        server.stop()


def test_retention_deletes_old_registrations_only(client, routed):
    client.post("/register/", registration_form())
    client.post("/register/", registration_form(email="recent@gov.example"))
    old = Registration.objects.get(email="maria.gomez@minsalud.gov.co")
    Registration.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=740))

    call_command("purge_registrations", stdout=io.StringIO())

    assert list(Registration.objects.values_list("email", flat=True)) == ["recent@gov.example"]
    assert OutboundEmail.objects.filter(registration_id=old.pk).count() == 0


def test_a_post_without_a_csrf_token_is_refused(routed):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/register/", registration_form())
    assert response.status_code == 403
    assert Registration.objects.count() == 0


def test_staff_follow_registrations_and_their_delivery(client, routed, smtp_server):
    client.post("/register/", registration_form())
    client.post("/register/", registration_form(email="other@gov.example", country="KE"))
    deliver_due()
    OutboundEmail.objects.filter(registration__email="other@gov.example", kind="request").update(
        status="failed", last_error="SMTPRecipientsRefused: 550 no such user"
    )
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_superuser("staff", "staff@example.org", "pw-123456")
    client.force_login(staff)

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
