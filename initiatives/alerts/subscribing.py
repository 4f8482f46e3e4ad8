"""Following a search: the writes of the alert pages (subscribe, confirm, change, unsubscribe).

``subscribe`` stores a pending subscription and queues its confirmation e-mail in the outbox
(``OutboundEmail``) in one transaction; the delivery worker sends it after the commit. Nothing
else is ever sent to an address until its owner follows the link (double opt-in).
"""

from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from ..registrations.models import OutboundEmail
from ..registrations.services import MESSAGE_DOMAIN
from . import tokens
from .describe import describe_search
from .models import Frequency, Subscription, SubscriptionEmail


class TooManySubscriptions(Exception):
    """The address already follows ``ALERTS_MAX_PER_ADDRESS`` searches (confirmed or not)."""


@dataclass(frozen=True)
class SubscribeOutcome:
    subscription: Subscription
    confirmation_queued: bool  # False: the address already followed the search (confirmed)


def subscribe(
    *, email: str, search: str, frequency: str, language: str, site_url: str
) -> SubscribeOutcome:
    """Follow ``search`` (a canonical query string, already validated) at ``email``.

    A new search is stored unconfirmed and gets a confirmation e-mail; one the address already
    follows unconfirmed gets a new one (its seven days start again); one it follows confirmed
    only takes the new frequency. ``site_url`` is the site's address, for the link.
    """
    if frequency not in Frequency.values:
        raise ValueError(f"{frequency!r} is not a frequency.")
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"{language!r} is not one of the catalogue's languages.")
    try:
        with transaction.atomic():
            return _subscribe(email.strip(), search, frequency, language, site_url)
    except IntegrityError:
        # The same search followed twice at once: the other request stored it first.
        with transaction.atomic():
            return _subscribe(email.strip(), search, frequency, language, site_url)


def _subscribe(email, search, frequency, language, site_url) -> SubscribeOutcome:
    followed = Subscription.objects.for_address(email)
    subscription = followed.filter(search=search).select_for_update().first()
    if subscription is None:
        if followed.count() >= settings.ALERTS_MAX_PER_ADDRESS:
            raise TooManySubscriptions
        subscription = Subscription.objects.create(
            email=email, search=search, frequency=frequency, language=language
        )
    elif subscription.is_confirmed:
        subscription.frequency = frequency
        subscription.save(update_fields=["frequency"])
        return SubscribeOutcome(subscription, confirmation_queued=False)
    else:
        subscription.frequency, subscription.language = frequency, language
        subscription.created_at = timezone.now()
        subscription.save(update_fields=["frequency", "language", "created_at"])
    _queue_confirmation(subscription, site_url)
    return SubscribeOutcome(subscription, confirmation_queued=True)


def _queue_confirmation(subscription: Subscription, site_url: str) -> OutboundEmail:
    number = (
        SubscriptionEmail.objects.filter(
            subscription=subscription, email__kind=OutboundEmail.Kind.ALERT_CONFIRMATION
        ).count()
        + 1
    )
    site_root = urljoin(site_url, "/").rstrip("/")
    with override(subscription.language):
        token = tokens.make(subscription, tokens.CONFIRM)
        context = {
            "subscription": subscription,
            "description": describe_search(subscription.search),
            "confirm_url": site_root + reverse("alerts:confirm", args=[token]),
            "list_url": site_root + reverse("initiatives:list"),
            "expires_days": tokens.CONFIRM_WITHIN.days,
        }
        email = OutboundEmail.objects.create(
            kind=OutboundEmail.Kind.ALERT_CONFIRMATION,
            to=[subscription.email],
            reply_to=[settings.COALITION_CONTACT_EMAIL],
            subject=gettext("Confirm your e-mail alert"),
            body_text=render_to_string("emails/alert_confirmation.txt", context),
            body_html=render_to_string("emails/alert_confirmation.html", context),
            message_id=f"<alert-confirm-{subscription.reference}-{number}@{MESSAGE_DOMAIN}>",
        )
    SubscriptionEmail.objects.create(subscription=subscription, email=email)
    return email


def confirm(subscription: Subscription) -> Subscription:
    """Confirm a subscription: alerts cover the changes from now on. Confirming again changes
    nothing."""
    now = timezone.now()
    Subscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=True).update(
        confirmed_at=now, covered_until=now
    )
    subscription.refresh_from_db()
    return subscription


def change_frequency(subscription: Subscription, frequency: str) -> None:
    if frequency not in Frequency.values:
        raise ValueError(f"{frequency!r} is not a frequency.")
    Subscription.objects.filter(pk=subscription.pk).update(frequency=frequency)
