"""Stopping an alert from its link: a button (POST), the one-click POST mail clients send
(RFC 8058, without a CSRF cookie), and pending e-mails never sent."""

import pytest
from django.test import Client

from initiatives.alerts import tokens
from initiatives.alerts.models import Subscription, SubscriptionEmail
from initiatives.registrations.models import OutboundEmail
from tests.alerts.conftest import link, make_subscription

pytestmark = pytest.mark.django_db


def pending_alert(subscription, number=1) -> OutboundEmail:
    email = OutboundEmail.objects.create(
        kind=OutboundEmail.Kind.ALERT,
        to=[subscription.email],
        subject="New initiatives for your search",
        body_text="…",
        message_id=f"<alert-{subscription.reference}-{number}@initiatives-catalogue>",
    )
    SubscriptionEmail.objects.create(subscription=subscription, email=email)
    return email


@pytest.fixture
def subscription(catalogue):
    return make_subscription(search="q=naloxone")


def test_opening_the_link_shows_a_button_and_stops_nothing(client, subscription):
    response = client.get(link("unsubscribe", subscription, tokens.UNSUBSCRIBE))
    page = response.content.decode()
    assert "<h1>Stop this e-mail alert</h1>" in page
    assert "<li>Search: naloxone</li>" in page
    assert '<button type="submit" class="button">Stop this alert</button>' in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_the_button_stops_the_alert_and_its_pending_emails(client, subscription):
    email = pending_alert(subscription)
    other = make_subscription(search="q=fentanyl")
    kept = pending_alert(other)
    response = client.post(link("unsubscribe", subscription, tokens.UNSUBSCRIBE))
    assert response.status_code == 200
    assert "Alert stopped" in response.content.decode()
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    assert not OutboundEmail.objects.filter(pk=email.pk).exists()
    assert OutboundEmail.objects.filter(pk=kept.pk).exists()
    assert Subscription.objects.filter(pk=other.pk).exists()


def test_the_button_needs_the_csrf_token(subscription):
    browser = Client(enforce_csrf_checks=True)
    url = link("unsubscribe", subscription, tokens.UNSUBSCRIBE)
    assert browser.post(url).status_code == 403
    assert browser.post(url, {"List-Unsubscribe": "Two-Clicks"}).status_code == 403
    assert Subscription.objects.filter(pk=subscription.pk).exists()
    # With the page's token, as a browser sends it.
    page = browser.get(url)
    csrf = page.cookies["csrftoken"].value
    response = browser.post(url, {"csrfmiddlewaretoken": csrf})
    assert response.status_code == 200
    assert not Subscription.objects.filter(pk=subscription.pk).exists()


def test_a_mail_clients_one_click_post_stops_the_alert_without_csrf(subscription):
    email = pending_alert(subscription)
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        link("unsubscribe", subscription, tokens.UNSUBSCRIBE),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "Alert stopped" in response.content.decode()
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    assert not OutboundEmail.objects.filter(pk=email.pk).exists()


def test_a_one_click_post_with_a_forged_link_stops_nothing(subscription):
    response = Client(enforce_csrf_checks=True).post(
        "/alerts/unsubscribe/forged/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 404
    token = tokens.make(subscription, tokens.MANAGE)  # a link of another purpose
    response = Client(enforce_csrf_checks=True).post(
        f"/alerts/unsubscribe/{token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 404
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_unsubscribing_again_says_already_unsubscribed(client, subscription):
    url = link("unsubscribe", subscription, tokens.UNSUBSCRIBE)
    client.post(url)
    for response in (
        client.get(url),
        client.post(url),
        Client(enforce_csrf_checks=True).post(
            url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        ),
    ):
        assert response.status_code == 200
        assert "Already unsubscribed" in response.content.decode()
