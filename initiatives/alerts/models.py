"""E-mail alerts: who follows which search, how often, and which changes they were told of.

A subscription is a search (the list page's parameters, as a normalised query string) and an
address, confirmed through a signed link before anything is sent (double opt-in). Alerts are
written into the registrations' outbox (``OutboundEmail``), so they survive a mail-server outage
and are never sent twice; ``AlertedChange`` records each initiative's change an alert named, once
per subscription, whatever runs ``send_alerts`` at the same time.
"""

import uuid
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..filters import FACETS
from ..models import Initiative
from ..registrations.models import OutboundEmail

# What a followed search keeps of the list's parameters: the query and the filters (not the
# sort or the page). Each value is bounded like the list's own.
FOLLOWED_PARAMETERS = ("q", *FACETS)
SEARCH_MAX = 2000


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("As soon as something changes")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")


DIGEST_INTERVALS = {Frequency.DAILY: timedelta(days=1), Frequency.WEEKLY: timedelta(days=7)}


def followed_search(params: QueryDict) -> str:
    """The search part of the list's parameters, in one canonical form (sorted, no empty
    values): the same search always reads the same."""
    pairs = sorted(
        (name, value.strip())
        for name in FOLLOWED_PARAMETERS
        for value in params.getlist(name)
        if value.strip()
    )
    return urlencode(list(dict.fromkeys(pairs)))


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def unconfirmed(self):
        return self.filter(confirmed_at__isnull=True)

    def for_address(self, email: str):
        return self.filter(email__iexact=email.strip())

    def created_before(self, moment):
        return self.filter(created_at__lt=moment)

    def due(self, now, slack):
        """Confirmed subscriptions whose next alert is due at ``now``: every run for
        "immediately", a day or a week after the changes last covered for the digests. ``slack``
        lets a cron job at a fixed time find yesterday's run due, though it started a little
        later than the run it follows."""
        due = Q(frequency=Frequency.IMMEDIATELY)
        for frequency, interval in DIGEST_INTERVALS.items():
            due |= Q(frequency=frequency, covered_until__lte=now - interval + slack)
        return self.confirmed().filter(due)

    def delete_with_emails(self) -> int:
        """Delete these subscriptions and every e-mail of theirs: a pending one is never sent
        (unsubscribing takes effect at once), a sent one held the address. Returns how many
        subscriptions were deleted."""
        with transaction.atomic():
            subscriptions = list(self.values_list("pk", flat=True))
            links = SubscriptionEmail.objects.filter(subscription__in=subscriptions)
            OutboundEmail.objects.filter(pk__in=links.values("email")).delete()
            return (
                Subscription.objects.filter(pk__in=subscriptions)
                .delete()[1]
                .get(Subscription._meta.label, 0)
            )


class Subscription(models.Model):
    # What the signed links name (never the address: a signed value is readable by anyone).
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("e-mail", max_length=254)
    search = models.CharField(
        max_length=SEARCH_MAX,
        blank=True,
        help_text="The search followed, as the list's query string (empty: all).",
    )
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text="The subscriber's language; their e-mails are in it.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Changes up to this time have been considered (set on confirming, moved by each run of
    # send_alerts that finds the subscription due).
    covered_until = models.DateTimeField(null=True, blank=True)
    last_alert_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last alert was queued."
    )
    emails = models.ManyToManyField(OutboundEmail, through="SubscriptionEmail", related_name="+")

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(Lower("email"), "search", name="alert_subscription_once"),
            models.CheckConstraint(condition=~Q(email=""), name="alert_subscription_has_email"),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(covered_until__isnull=False),
                name="alert_confirmed_has_coverage",
            ),
        ]

    def __str__(self):
        return f"{self.search or '(everything)'} – {self.get_frequency_display()}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def search_params(self) -> QueryDict:
        return QueryDict(self.search)

    def not_yet_alerted(self, initiatives):
        """Those of ``initiatives`` whose current change no alert of this subscription named."""
        named = AlertedChange.objects.filter(
            subscription=self, initiative=OuterRef("pk"), changed_at=OuterRef("changed_at")
        )
        return initiatives.exclude(Exists(named))


class SubscriptionEmail(models.Model):
    """An e-mail of a subscription (its confirmation, its alerts): cancelled with it."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE)
    email = models.OneToOneField(OutboundEmail, on_delete=models.CASCADE, related_name="+")

    def __str__(self):
        return f"{self.subscription_id} → {self.email_id}"


class AlertedChange(models.Model):
    """One change of one initiative, named in one subscription's alert: never named twice."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="alerted_changes"
    )
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    changed_at = models.DateTimeField(help_text="The initiative's change the alert named.")
    email = models.ForeignKey(OutboundEmail, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "initiative", "changed_at"], name="alerted_change_once"
            )
        ]

    def __str__(self):
        return f"{self.initiative_id} @ {self.changed_at:%Y-%m-%d %H:%M}"
