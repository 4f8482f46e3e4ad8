"""Registrations of interest and the outbox that delivers them.

A registration and every e-mail it causes are written in one transaction; the e-mails are sent
later by the delivery worker (``deliver_emails``), so a slow or dead mail server never touches
the form, and nothing accepted can be lost.

The tables keep the names they had when these models belonged to the ``initiatives`` app
(``db_table``): moving them to their own app changed no table (migration
``initiatives.0015_move_registrations_to_their_app``).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField

from ..models import Initiative
from .routing import CONTACT_SUFFIX, describe

NAME_MAX = 120
TEXT_MAX = 200
MESSAGE_MAX = 2000
PHONE_MAX = 40


class Registration(models.Model):
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The form's one-time token: a resubmitted POST carries the same one and is not stored twice.
    submission_token = models.CharField(max_length=64, unique=True, editable=False)
    full_name = models.CharField(max_length=NAME_MAX)
    job_title = models.CharField(max_length=TEXT_MAX)
    agency = models.CharField("government agency / institution", max_length=TEXT_MAX)
    country = CountryField()
    email = models.EmailField("official e-mail", max_length=254)
    phone = models.CharField(max_length=PHONE_MAX, blank=True)
    message = models.TextField(max_length=MESSAGE_MAX, blank=True)
    consent = models.BooleanField(
        help_text="Agreed to share these details with the implementing organizations and the "
        "coalition secretariat."
    )
    initiatives = models.ManyToManyField(
        Initiative, through="RegistrationItem", related_name="registrations"
    )
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The language the form was filled in: the registrant's confirmation is written in it.
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text="The language the registrant used; their confirmation e-mail is in it.",
    )

    class Meta:
        db_table = "initiatives_registration"
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(condition=Q(consent=True), name="registration_has_consent"),
            models.CheckConstraint(
                condition=~Q(full_name="") & ~Q(email="") & ~Q(agency="") & ~Q(job_title=""),
                name="registration_required_fields",
            ),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.country.code}), {self.submitted_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("registrations:done", kwargs={"reference": self.reference})

    @property
    def language_label(self) -> str:
        """The language named in itself, with its code: "Français (fr)"."""
        return f"{dict(settings.LANGUAGES).get(self.language, self.language)} ({self.language})"


class RegistrationItem(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="items")
    initiative = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="+")
    recipient = models.EmailField(help_text="Where this initiative's request was sent.")
    recipient_label = models.CharField(max_length=300, help_text="Who that is, in words.")
    recipient_kind = models.CharField(
        max_length=20,
        choices=[
            ("contact", "Point of contact"),
            ("organization", "Lead organization"),
            ("secretariat", "Coalition secretariat"),
        ],
    )

    class Meta:
        db_table = "initiatives_registrationitem"
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "initiative"], name="registration_item_once"
            )
        ]

    def __str__(self):
        return f"{self.initiative_id} → {self.recipient}"

    @property
    def display_label(self) -> str:
        """Who received the request, in the active language (the stored label is English)."""
        name = self.recipient_label.removesuffix(CONTACT_SUFFIX)
        return describe(self.recipient_kind, name)


class OutboundEmail(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        REQUEST = "request", "Request to a point of contact"
        CONFIRMATION = "confirmation", "Confirmation to the registrant"
        ALERT_CONFIRMATION = "alert_confirmation", "Alert subscription to confirm"
        ALERT = "alert", "E-mail alert"

    # Empty for the e-mails of alert subscriptions (initiatives.alerts links those).
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="emails", null=True, blank=True
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    to = models.JSONField(help_text="Recipient addresses.")
    cc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    # Further headers (List-Unsubscribe of alerts); Message-ID is ``message_id``.
    headers = models.JSONField(default=dict, blank=True)
    subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    message_id = models.CharField(max_length=200, unique=True, editable=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "initiatives_outboundemail"
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="outbox_due",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent"),
                name="outbox_sent_has_time",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {', '.join(self.to)} ({self.status})"


class RateLimitCounter(models.Model):
    """Requests per key and time window, shared by every web process through PostgreSQL."""

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "initiatives_ratelimitcounter"
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_limit_window")
        ]

    def __str__(self):
        return f"{self.key} @ {self.window_start:%Y-%m-%d %H:%M}: {self.count}"
