"""Fixtures of the alert pages' tests."""

import pytest
from django.urls import reverse
from django.utils import timezone

from initiatives.alerts import tokens
from initiatives.alerts.models import Frequency, Subscription
from initiatives.registrations.protection import new_token


@pytest.fixture
def quick_forms(settings):
    """No anti-bot delay, a known secretariat address."""
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    settings.COALITION_CONTACT_EMAIL = "secretariat@coalition.example"


def subscribe_form(**changes) -> dict:
    """A valid subscription form (a fresh token each time); ``None`` drops a field."""
    data = {
        "token": new_token(),
        "email": "lena.novak@health.gov.example",
        "frequency": "daily",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def make_subscription(
    email="lena.novak@health.gov.example",
    search="q=naloxone",
    frequency=Frequency.DAILY,
    *,
    confirmed=True,
    language="en",
) -> Subscription:
    now = timezone.now()
    return Subscription.objects.create(
        email=email,
        search=search,
        frequency=frequency,
        language=language,
        confirmed_at=now if confirmed else None,
        covered_until=now if confirmed else None,
    )


def link(name: str, subscription: Subscription, purpose: str) -> str:
    """The signed address of an alert page (``name``: confirm, manage, unsubscribe)."""
    return reverse(f"alerts:{name}", args=[tokens.make(subscription, purpose)])
