"""The whole journey of an e-mail alert, over a real SMTP server with the delivery worker: from a
search page, subscribe; receive the confirmation and confirm (a GET confirms nothing); staff
publish a matching initiative; send_alerts sends exactly one alert naming it, a second run
nothing; a one-click unsubscribe (RFC 8058) by POST stops the next."""

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from initiatives.alerts.models import Subscription
from initiatives.models import Initiative
from initiatives.registrations.delivery import deliver_due
from tests.alerts.conftest import subscribe_form
from tests.conftest import admin_change_form
from tests.factories import backdate_catalogue, make_initiative

pytestmark = pytest.mark.django_db

ADDRESS = "amira.haddad@health.gov.example"


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def path_of(url: str) -> str:
    return urlsplit(url).path


def messages_to(server, address: str) -> list:
    return [message for message in server.messages if address in message["To"]]


def send_alerts_and_deliver() -> None:
    call_command("send_alerts", stdout=StringIO())
    deliver_due()


def test_subscribe_confirm_alert_once_and_unsubscribe_in_one_click(
    catalogue, quick_forms, smtp_server, editor_client
):
    backdate_catalogue()
    draft = make_initiative(
        title="Naloxone for first responders at border crossings",
        description="Naloxone kits and training for border officers.",
        is_published=False,
    )
    visitor = Client()

    # From a search page, follow "Get e-mail alerts for this search" and subscribe.
    page = visitor.get("/", {"q": "naloxone"}).content.decode()
    [alerts_link] = re.findall(r'href="(/alerts/\?[^"]*)">Get e-mail alerts for this search', page)
    alerts_link = alerts_link.replace("&amp;", "&")
    form_page = visitor.get(alerts_link)
    assert form_page.status_code == 200
    sent = visitor.post(alerts_link, subscribe_form(email=ADDRESS, frequency="immediately"))
    assert sent.status_code == 302
    subscription = Subscription.objects.get(email=ADDRESS)
    assert subscription.search == "q=naloxone" and subscription.confirmed_at is None

    # Nothing is sent but the confirmation until the address is confirmed.
    deliver_due()
    [confirmation] = messages_to(smtp_server, ADDRESS)
    [confirm_url] = re.findall(r"https?://\S+/alerts/confirm/\S+/", text_of(confirmation))
    send_alerts_and_deliver()
    assert len(messages_to(smtp_server, ADDRESS)) == 1

    # A mail scanner's GET confirms nothing; the button's POST does.
    assert visitor.get(path_of(confirm_url)).status_code == 200
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    confirmed = visitor.post(path_of(confirm_url))
    assert confirmed.status_code in (200, 302)
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None

    # Staff publish a matching initiative in the admin.
    change_url = f"/{settings.ADMIN_URL}initiatives/initiative/{draft.pk}/change/"
    saved = editor_client.post(change_url, admin_change_form(draft, is_published="on"))
    assert saved.status_code == 302, saved.content[:500]
    assert Initiative.objects.get(pk=draft.pk).is_published

    # Exactly one alert naming it; a second run sends nothing.
    send_alerts_and_deliver()
    [_, alert] = messages_to(smtp_server, ADDRESS)
    assert f"{draft.code} Naloxone for first responders at border crossings" in text_of(alert)
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    send_alerts_and_deliver()
    assert len(messages_to(smtp_server, ADDRESS)) == 2

    # The mail client's one-click unsubscribe: a POST with no cookie and no CSRF token.
    unsubscribe_url = alert["List-Unsubscribe"].strip().strip("<>")
    mail_client = Client(enforce_csrf_checks=True)
    answer = mail_client.post(
        path_of(unsubscribe_url),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    assert not Subscription.objects.filter(email=ADDRESS).exists()

    # A further change of the initiative alerts nobody.
    published = Initiative.objects.get(pk=draft.pk)
    edited = editor_client.post(
        change_url, admin_change_form(published, title="Naloxone for first responders")
    )
    assert edited.status_code == 302
    send_alerts_and_deliver()
    assert len(messages_to(smtp_server, ADDRESS)) == 2
