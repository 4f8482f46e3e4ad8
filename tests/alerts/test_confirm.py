"""Confirming an alert: only the button's POST confirms; bad links change nothing."""

import time
from unittest import mock

import pytest
from django.test import Client

from initiatives.alerts import tokens
from initiatives.alerts.models import Subscription
from tests.alerts.conftest import link, make_subscription

pytestmark = pytest.mark.django_db


def test_opening_the_link_shows_what_it_confirms_and_confirms_nothing(client, catalogue):
    subscription = make_subscription(search="organization=UNODC", confirmed=False)
    response = client.get(link("confirm", subscription, tokens.CONFIRM))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Confirm your e-mail alert</h1>" in page
    assert "<li>Implementing organization: UNODC</li>" in page
    assert "<strong>Daily digest</strong>" in page
    assert '<button type="submit" class="button">Confirm my alert</button>' in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


def test_the_button_confirms_and_links_to_the_manage_page(client, catalogue):
    subscription = make_subscription(confirmed=False)
    response = client.post(link("confirm", subscription, tokens.CONFIRM))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your alert is confirmed" in page
    assert "at most one e-mail a day" in page
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None
    assert subscription.covered_until == subscription.confirmed_at
    manage = page.split('<a href="')[-3].split('"')[0]
    assert manage.startswith("/alerts/manage/")
    assert tokens.read(manage.split("/")[-2], tokens.MANAGE) == subscription


def test_confirming_twice_is_harmless(client, catalogue):
    subscription = make_subscription(confirmed=False)
    url = link("confirm", subscription, tokens.CONFIRM)
    client.post(url)
    first = Subscription.objects.get().confirmed_at
    response = client.post(url)
    assert response.status_code == 200
    assert Subscription.objects.get().confirmed_at == first


def test_a_confirmation_in_french_stays_in_french(client, catalogue):
    subscription = make_subscription(confirmed=False, language="fr")
    page = client.get("/fr" + link("confirm", subscription, tokens.CONFIRM)).content.decode()
    assert 'lang="fr"' in page
    assert "Daily digest" not in page


@pytest.mark.parametrize(
    "token",
    ["forged", "x" * 5000, "Im5vdCBhIHJlZmVyZW5jZSI:1abcde:wrongsignature", "%00"],
)
def test_a_forged_link_is_refused_and_changes_nothing(client, catalogue, token):
    subscription = make_subscription(confirmed=False)
    for response in (
        client.get(f"/alerts/confirm/{token}/"),
        client.post(f"/alerts/confirm/{token}/"),
    ):
        assert response.status_code == 404
        assert "This link is not valid" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


def test_a_link_of_another_purpose_does_not_confirm(client, catalogue):
    subscription = make_subscription(confirmed=False)
    token = tokens.make(subscription, tokens.UNSUBSCRIBE)
    assert client.post(f"/alerts/confirm/{token}/").status_code == 404
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


def test_an_expired_link_is_refused(client, catalogue):
    subscription = make_subscription(confirmed=False)
    eight_days_ago = time.time() - 8 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=eight_days_ago):
        token = tokens.make(subscription, tokens.CONFIRM)
    assert tokens.read(token, tokens.CONFIRM) is None
    response = client.post(f"/alerts/confirm/{token}/")
    assert response.status_code == 404
    assert "It may have expired" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    # Six days is still in time.
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 6 * 24 * 3600):
        token = tokens.make(subscription, tokens.CONFIRM)
    assert tokens.read(token, tokens.CONFIRM) == subscription


def test_the_link_of_a_deleted_subscription_is_refused(client, catalogue):
    subscription = make_subscription(confirmed=False)
    url = link("confirm", subscription, tokens.CONFIRM)
    Subscription.objects.all().delete_with_emails()
    assert client.post(url).status_code == 404
    assert not Subscription.objects.exists()


def test_the_confirm_button_needs_the_csrf_token(catalogue):
    subscription = make_subscription(confirmed=False)
    response = Client(enforce_csrf_checks=True).post(link("confirm", subscription, tokens.CONFIRM))
    assert response.status_code == 403
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
