"""Delivering the outbox over real SMTP: one e-mail per recipient, retried with back-off, never
sent twice.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from initiatives.registrations.delivery import deliver_due
from initiatives.registrations.models import OutboundEmail
from tests.conftest import registration_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick_forms")]


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
