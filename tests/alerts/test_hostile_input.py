"""Hostile input against the alert pages: never a 500, never reflected unescaped, nothing
stored for what is rejected."""

from urllib.parse import quote

import pytest
from django.test import Client

from initiatives.alerts import tokens
from initiatives.alerts.forms import check_followed_search
from initiatives.alerts.models import FOLLOWED_PARAMETERS, Subscription
from initiatives.registrations.models import OutboundEmail
from tests.alerts.conftest import make_subscription, subscribe_form
from tests.test_hostile_input import PAYLOADS, assert_safe

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("name", [*FOLLOWED_PARAMETERS, "sort", "page"])
def test_list_parameters_of_the_subscribe_page(client, catalogue, quick_forms, name, payload):
    url = "/alerts/?" + f"{name}={quote(payload, safe='')}"
    assert_safe(client.get(url), payload)
    response = client.post(url, subscribe_form())
    assert_safe(response, payload)
    if response.status_code == 302:
        # Only a value the list accepts can be followed, and it is stored as it was sent.
        subscription = Subscription.objects.get()
        assert subscription.search == check_followed_search(subscription.search_params)
    else:
        assert response.status_code == 400
        assert not Subscription.objects.exists()
        assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("name", ["email", "frequency", "token", "website"])
def test_fields_of_the_subscribe_form(client, catalogue, quick_forms, name, payload):
    response = client.post("/alerts/?q=naloxone", subscribe_form(**{name: payload}))
    assert_safe(response, payload)
    assert response.status_code == 400
    assert not Subscription.objects.exists()
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize("payload", [*PAYLOADS, "%2e%2e%2f", "a" * 3000])
@pytest.mark.parametrize("page", ["confirm", "manage", "unsubscribe"])
def test_tokens_of_the_signed_pages(catalogue, page, payload):
    path = f"/alerts/{page}/{quote(payload[:2000], safe='')}/"
    client = Client(enforce_csrf_checks=True)
    assert_safe(client.get(path), payload)
    response = client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert_safe(response, payload)
    assert response.status_code in {403, 404}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_manage_form_values(client, catalogue, payload):
    subscription = make_subscription()
    url = f"/alerts/manage/{tokens.make(subscription, tokens.MANAGE)}/"
    for data in (
        {"action": "frequency", "subscription": payload, "frequency": "weekly"},
        {"action": "frequency", "subscription": subscription.reference, "frequency": payload},
        {"action": payload, "subscription": subscription.reference},
    ):
        assert_safe(client.post(url, data), payload)
    subscription.refresh_from_db()
    assert subscription.frequency == "daily"
