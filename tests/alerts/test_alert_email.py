"""The alert e-mail over real SMTP: in the subscriber's language, with its links and list
headers; kept through an SMTP outage and sent once; never sent once unsubscribed."""

import logging
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone, translation

from initiatives.alerts import tokens
from initiatives.alerts.describe import describe_search
from initiatives.alerts.models import Subscription
from initiatives.alerts.sending import send_alerts
from initiatives.models import Initiative
from initiatives.registrations.delivery import deliver_due
from initiatives.registrations.models import OutboundEmail
from tests.factories import backdate_catalogue, make_initiative, make_subscription

pytestmark = pytest.mark.django_db

FRENCH_TITLE = "Sensibilisation à la naloxone et distribution dans les communautés"


@pytest.fixture
def quiet(catalogue, settings):
    backdate_catalogue()
    settings.SITE_URL = "https://catalogue.example.org"


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def test_a_french_subscriber_receives_the_alert_in_french(quiet, smtp_server):
    subscription = make_subscription(search="q=naloxone", language="fr")
    translated = Initiative.objects.get(code="3210")
    translated.translations.create(language_code="fr", translated_title=FRENCH_TITLE, reviewed=True)
    translated.status = "active"
    translated.save()  # changed: "updated"
    new = make_initiative(title="Naloxone kits for border posts", lead_organization="UNODC")

    assert send_alerts().queued == 1
    assert deliver_due().sent == 1

    [message] = smtp_server.messages
    assert message["To"] == subscription.email
    french_subject = (
        "Initiatives nouvelles et mises à jour pour votre recherche\u00a0: «\u00a0naloxone\u00a0»"
    )
    assert OutboundEmail.objects.get().subject == french_subject
    # (as received, the header's no-break spaces read as plain spaces)
    assert message["Subject"].split() == french_subject.split()
    # The links name this subscription, signed (a signature carries its second, so it is read
    # back rather than made again); a long header arrives folded: unfolded, it is the link whole.
    header = message["List-Unsubscribe"].strip()
    assert header.startswith("<https://catalogue.example.org/fr/alerts/unsubscribe/")
    unsubscribe = urlsplit(header.strip("<>")).path
    assert signed(unsubscribe, tokens.UNSUBSCRIBE) == subscription
    [manage] = re.findall(
        r"https://catalogue\.example\.org(/fr/alerts/manage/[^/\s]+/)", text_of(message)
    )
    assert signed(manage, tokens.MANAGE) == subscription
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] == "Initiatives Catalogue alerts <alerts.initiatives-catalogue>"
    assert message["Auto-Submitted"] == "auto-generated"
    message_id = message["Message-ID"].strip()
    assert message_id.startswith(f"<alert-{subscription.reference}-")
    assert message_id.endswith("@initiatives-catalogue>")
    assert message_id == OutboundEmail.objects.get().message_id
    assert urlsplit(unsubscribe).path.startswith("/fr/alerts/unsubscribe/")

    text = text_of(message)
    assert f"3210 {FRENCH_TITLE}\nMise à jour · 3.2 " in text
    assert f"{new.code} Naloxone kits for border posts\nNouvelle · 3.2 " in text
    assert "Chef de file\u00a0: Office des Nations Unies contre la drogue et le crime" in text
    assert f"https://catalogue.example.org/fr/initiatives/{new.code}/" in text
    with translation.override("fr"):
        in_words = str(describe_search("q=naloxone"))
    assert "naloxone" in in_words and f"\n- {in_words}\n" in text  # the search, in words
    assert "https://catalogue.example.org/fr/?q=naloxone" in text
    assert f"https://catalogue.example.org{manage}" in text
    assert f"https://catalogue.example.org{unsubscribe}" in text

    html = html_of(message)
    assert '<html lang="fr" dir="ltr">' in html
    assert f'<span lang="fr">{FRENCH_TITLE}</span>' in html
    assert '<span lang="en" dir="ltr">Naloxone kits for border posts</span>' in html
    assert f'href="https://catalogue.example.org/fr/initiatives/{new.code}/"' in html
    assert f'href="https://catalogue.example.org{unsubscribe}"' in html


def signed(path: str, purpose: str):
    """The subscription a link's token names for ``purpose`` (None if it names none)."""
    return tokens.read(path.rstrip("/").rsplit("/", 1)[-1], purpose)


def test_an_arabic_alert_is_right_to_left(quiet, smtp_server):
    make_subscription(search="group=3.2", language="ar")
    make_initiative(title="Precursor tracing")
    send_alerts()
    deliver_due()
    html = html_of(smtp_server.messages[0])
    assert '<html lang="ar" dir="rtl">' in html
    assert '<span lang="en" dir="ltr">Precursor tracing</span>' in html


def test_an_smtp_outage_keeps_the_alert_and_it_goes_out_once(quiet, smtp_server):
    make_subscription(search="q=naloxone")
    make_initiative(title="Naloxone through an outage")
    smtp_server.stop()
    send_alerts()
    report = deliver_due()
    assert (report.sent, report.retried) == (0, 1)
    [waiting] = OutboundEmail.objects.filter(kind="alert")
    assert waiting.status == "pending" and "Connection refused" in waiting.last_error

    smtp_server.start()
    OutboundEmail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert send_alerts().queued == 0  # queued already: not again
    assert deliver_due().sent == 1
    assert deliver_due().sent == 0
    assert [m["Subject"].strip() for m in smtp_server.messages] == [
        "New and updated initiatives for your search: “naloxone”"
    ]
    assert "Naloxone through an outage" in text_of(smtp_server.messages[0])


def test_an_unsubscribed_address_gets_no_pending_alert(quiet, smtp_server):
    subscription = make_subscription(search="q=naloxone")
    make_initiative(title="Naloxone, too late")
    assert send_alerts().queued == 1
    assert OutboundEmail.objects.filter(kind="alert", status="pending").count() == 1

    Subscription.objects.filter(pk=subscription.pk).delete_with_emails()

    assert deliver_due().sent == 0
    assert smtp_server.messages == []
    assert not OutboundEmail.objects.filter(kind="alert").exists()


def test_the_worker_logs_no_address_when_sending_an_alert(quiet, smtp_server, caplog):
    subscription = make_subscription(search="q=naloxone")
    make_initiative(title="Naloxone, logged")
    send_alerts()
    smtp_server.stop()
    with caplog.at_level(logging.DEBUG):
        deliver_due()  # refused: a warning is logged
        smtp_server.start()
        OutboundEmail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        assert deliver_due().sent == 1
    # The catalogue's log lines (not the test SMTP server's own debug lines).
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail."))
    assert "will retry" in ours
    assert subscription.email not in ours and "@agency.example" not in ours
