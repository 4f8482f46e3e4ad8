# The registration models, moved here from the ``initiatives`` app. Their tables already exist
# (created by initiatives 0004 and kept under their names through ``db_table``), so this only
# creates them in the migration state; initiatives 0015 then removes them from that app's state.

import uuid

import django.db.models.deletion
import django.utils.timezone
import django_countries.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("initiatives", "0014_published_facets_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Registration",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "reference",
                            models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
                        ),
                        (
                            "submission_token",
                            models.CharField(editable=False, max_length=64, unique=True),
                        ),
                        ("full_name", models.CharField(max_length=120)),
                        ("job_title", models.CharField(max_length=200)),
                        (
                            "agency",
                            models.CharField(
                                max_length=200, verbose_name="government agency / institution"
                            ),
                        ),
                        ("country", django_countries.fields.CountryField(max_length=2)),
                        (
                            "email",
                            models.EmailField(max_length=254, verbose_name="official e-mail"),
                        ),
                        ("phone", models.CharField(blank=True, max_length=40)),
                        ("message", models.TextField(blank=True, max_length=2000)),
                        (
                            "consent",
                            models.BooleanField(
                                help_text="Agreed to share these details with the implementing "
                                "organizations and the coalition secretariat."
                            ),
                        ),
                        (
                            "submitted_at",
                            models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                        ),
                    ],
                    options={
                        "db_table": "initiatives_registration",
                        "ordering": ["-submitted_at"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("consent", True)),
                                name="registration_has_consent",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("full_name", ""), _negated=True),
                                    models.Q(("email", ""), _negated=True),
                                    models.Q(("agency", ""), _negated=True),
                                    models.Q(("job_title", ""), _negated=True),
                                ),
                                name="registration_required_fields",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="RateLimitCounter",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("key", models.CharField(max_length=200)),
                        ("window_start", models.DateTimeField()),
                        ("count", models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "initiatives_ratelimitcounter",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("key", "window_start"), name="rate_limit_window"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="RegistrationItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "recipient",
                            models.EmailField(
                                help_text="Where this initiative's request was sent.",
                                max_length=254,
                            ),
                        ),
                        (
                            "recipient_label",
                            models.CharField(help_text="Who that is, in words.", max_length=300),
                        ),
                        (
                            "recipient_kind",
                            models.CharField(
                                choices=[
                                    ("contact", "Point of contact"),
                                    ("organization", "Lead organization"),
                                    ("secretariat", "Coalition secretariat"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "initiative",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="initiatives.initiative",
                            ),
                        ),
                        (
                            "registration",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="items",
                                to="registrations.registration",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "initiatives_registrationitem",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("registration", "initiative"),
                                name="registration_item_once",
                            )
                        ],
                    },
                ),
                migrations.AddField(
                    model_name="registration",
                    name="initiatives",
                    field=models.ManyToManyField(
                        related_name="registrations",
                        through="registrations.RegistrationItem",
                        to="initiatives.initiative",
                    ),
                ),
                migrations.CreateModel(
                    name="OutboundEmail",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("request", "Request to a point of contact"),
                                    ("confirmation", "Confirmation to the registrant"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("to", models.JSONField(help_text="Recipient addresses.")),
                        ("cc", models.JSONField(blank=True, default=list)),
                        ("reply_to", models.JSONField(blank=True, default=list)),
                        ("subject", models.CharField(max_length=250)),
                        ("body_text", models.TextField()),
                        ("body_html", models.TextField(blank=True)),
                        (
                            "message_id",
                            models.CharField(editable=False, max_length=200, unique=True),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Pending"),
                                    ("sent", "Sent"),
                                    ("failed", "Failed"),
                                ],
                                db_index=True,
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True)),
                        (
                            "next_attempt_at",
                            models.DateTimeField(default=django.utils.timezone.now),
                        ),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "registration",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="emails",
                                to="registrations.registration",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "initiatives_outboundemail",
                        "ordering": ["created_at", "pk"],
                        "indexes": [
                            models.Index(
                                condition=models.Q(("status", "pending")),
                                fields=["next_attempt_at"],
                                name="outbox_due",
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("sent_at__isnull", False), ("status", "sent")),
                                    models.Q(("status", "sent"), _negated=True),
                                    _connector="OR",
                                ),
                                name="outbox_sent_has_time",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
