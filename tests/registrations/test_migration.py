"""Moving the registration models into their own app keeps every row and every permission.

Each test migrates the test database back to the schema before the move (initiatives 0014, no
registrations app), writes data with the models of that time, migrates forward to the latest
migrations and reads it all back with today's models. The database is left at the latest
migrations whatever happens (transactional tests: pytest-django empties the tables after them).
"""

import uuid
from datetime import UTC, datetime

import pytest
from django.apps import apps as current_apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from initiatives.registrations.models import (
    OutboundEmail,
    RateLimitCounter,
    Registration,
    RegistrationItem,
)
from initiatives.roles import EDITOR
from initiatives.seeding.loader import load_seed_file

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = [("initiatives", "0014_published_facets_index"), ("registrations", None)]
# The models of that time, with the admin's log and the auth tables.
OLD_STATE = [
    ("initiatives", "0014_published_facets_index"),
    ("admin", "0003_logentry_add_action_flag_choices"),
]
MODELS = ["registration", "registrationitem", "outboundemail", "ratelimitcounter"]
MOVED = [Registration, RegistrationItem, OutboundEmail, RateLimitCounter]

REFERENCE = uuid.UUID("6f1c2a4e-8d0b-4b8e-9a51-3c7d2e9f0a11")
REGISTRATION = {
    "reference": REFERENCE,
    "submission_token": "a3f9c0d1e2b4a5968778695a4b3c2d1e",
    "full_name": "Nadia Haddad-Núñez",
    "job_title": "Director of Precursor Control",
    "agency": "National Narcotics Board",
    "country": "KE",
    "email": "nadia.haddad@narcotics.gov.example",
    "phone": "+254 20 123 4567",
    "message": "We would like to take part in 2027.\nOur laboratory is ready.",
    "consent": True,
    "submitted_at": datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC),
}
ITEMS = {
    "1101": {
        "recipient": "secretariat@coalition.example",
        "recipient_label": "the Coalition secretariat",
        "recipient_kind": "secretariat",
    },
    "2206A": {
        "recipient": "drugs@unodc.example",
        "recipient_label": "United Nations Office on Drugs and Crime",
        "recipient_kind": "organization",
    },
}
EMAILS = [
    {  # queued: failed twice, waiting for its next attempt
        "kind": "request",
        "to": ["drugs@unodc.example"],
        "cc": ["secretariat@coalition.example"],
        "reply_to": ["nadia.haddad@narcotics.gov.example"],
        "subject": "Registration of interest (Kenya): initiative 2206A",
        "body_text": "Nadia Haddad-Núñez asks about 2206A.",
        "body_html": "<p>Nadia Haddad-Núñez asks about 2206A.</p>",
        "message_id": f"<registration-{REFERENCE}-2@initiatives-catalogue>",
        "status": "pending",
        "attempts": 2,
        "last_error": "SMTPServerDisconnected: Connection unexpectedly closed",
        "next_attempt_at": datetime(2026, 3, 14, 9, 31, 0, tzinfo=UTC),
        "sent_at": None,
    },
    {  # sent
        "kind": "confirmation",
        "to": ["nadia.haddad@narcotics.gov.example"],
        "cc": [],
        "reply_to": ["secretariat@coalition.example"],
        "subject": "Your registration of interest has been received",
        "body_text": "Thank you.",
        "body_html": "",
        "message_id": f"<registration-{REFERENCE}-0@initiatives-catalogue>",
        "status": "sent",
        "attempts": 1,
        "last_error": "",
        "next_attempt_at": datetime(2026, 3, 14, 9, 27, 0, tzinfo=UTC),
        "sent_at": datetime(2026, 3, 14, 9, 27, 2, tzinfo=UTC),
    },
    {  # given up
        "kind": "request",
        "to": ["secretariat@coalition.example"],
        "cc": [],
        "reply_to": ["nadia.haddad@narcotics.gov.example"],
        "subject": "Registration of interest (Kenya): initiative 1101",
        "body_text": "Nadia Haddad-Núñez asks about 1101.",
        "body_html": "",
        "message_id": f"<registration-{REFERENCE}-1@initiatives-catalogue>",
        "status": "failed",
        "attempts": 40,
        "last_error": "SMTPRecipientsRefused: 550 no such user",
        "next_attempt_at": datetime(2026, 3, 15, 9, 0, 0, tzinfo=UTC),
        "sent_at": None,
    },
]
COUNTER = {
    "key": "ip:0f3a5c7e9b1d2f4a6c8e0b2d4f6a8c0e2b4d6f8a",
    "window_start": datetime(2026, 3, 14, 9, 0, 0, tzinfo=UTC),
    "count": 3,
}


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def rows(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


@pytest.fixture
def before_the_move():
    """The database as it was before the move, and the models of that time; the latest
    migrations again afterwards."""
    load_seed_file(settings.SEED_FILE)  # initiatives to register for (idempotent)
    try:
        executor = migrate(BEFORE_THE_MOVE)
        yield executor.loader.project_state(OLD_STATE).apps
    finally:
        migrate_to_latest()
        ContentType.objects.clear_cache()


def write_registrations(old_apps) -> dict[str, list[dict]]:
    """The registration data of the test, written with the old models; the rows as stored."""
    Initiative = old_apps.get_model("initiatives", "Initiative")
    OldRegistration = old_apps.get_model("initiatives", "Registration")
    OldItem = old_apps.get_model("initiatives", "RegistrationItem")
    OldEmail = old_apps.get_model("initiatives", "OutboundEmail")
    OldCounter = old_apps.get_model("initiatives", "RateLimitCounter")

    registration = OldRegistration.objects.create(**REGISTRATION)
    for code, item in ITEMS.items():
        OldItem.objects.create(
            registration=registration, initiative=Initiative.objects.get(code=code), **item
        )
    for email in EMAILS:
        OldEmail.objects.create(registration=registration, **email)
    OldCounter.objects.create(**COUNTER)
    stored = {
        "registration": rows(OldRegistration),
        "registrationitem": rows(OldItem),
        "outboundemail": rows(OldEmail),
        "ratelimitcounter": rows(OldCounter),
    }
    # What was stored is what the test wrote (so that comparing with it means something).
    assert [{key: row[key] for key in REGISTRATION} for row in stored["registration"]] == [
        REGISTRATION
    ]
    assert len(stored["registrationitem"]) == len(ITEMS)
    assert [{key: row[key] for key in EMAILS[0]} for row in stored["outboundemail"]] == EMAILS
    assert [{key: row[key] for key in COUNTER} for row in stored["ratelimitcounter"]] == [COUNTER]
    return stored


def old_content_types(old_apps) -> dict[str, int]:
    """The ids of the models' content types, which must be under the old label only."""
    OldContentType = old_apps.get_model("contenttypes", "ContentType")
    assert not OldContentType.objects.filter(app_label="registrations").exists()
    return {
        model: OldContentType.objects.get(app_label="initiatives", model=model).pk
        for model in MODELS
    }


def granted(group: Group) -> set[tuple[int, str]]:
    return {
        (permission.pk, f"{permission.content_type.app_label}.{permission.codename}")
        for permission in group.permissions.select_related("content_type")
    }


def test_every_registration_row_is_kept_and_read_by_the_registrations_app(before_the_move):
    old_apps = before_the_move
    # Then, the registration models belonged to the initiatives app, on the same tables.
    old_models = old_apps.get_app_config("initiatives").get_models()
    assert {(model._meta.model_name, model._meta.db_table) for model in old_models} >= {
        (model._meta.model_name, model._meta.db_table) for model in MOVED
    }
    stored = write_registrations(old_apps)

    migrate_to_latest()

    for model in MOVED:
        assert model._meta.app_label == "registrations"
        current = rows(model)
        if model is Registration:
            # A column added since (registrations 0003) holds its default in the older rows.
            assert {row.pop("language") for row in current} == {"en"}
        if model is OutboundEmail:
            # Likewise the further headers (registrations 0004): none for older e-mails.
            assert [row.pop("headers") for row in current] == [{}] * len(current)
        assert current == stored[model._meta.model_name], model.__name__
    with pytest.raises(LookupError):
        current_apps.get_model("initiatives", "Registration")
    # Through today's models and their relations, the same values.
    registration = Registration.objects.get(reference=REFERENCE)
    assert {key: getattr(registration, key) for key in REGISTRATION if key != "country"} == {
        key: value for key, value in REGISTRATION.items() if key != "country"
    }
    assert registration.country.code == "KE"
    items = {
        item.initiative.code: {key: getattr(item, key) for key in ITEMS["1101"]}
        for item in registration.items.select_related("initiative")
    }
    assert items == ITEMS
    assert sorted(registration.initiatives.values_list("code", flat=True)) == ["1101", "2206A"]
    assert [
        {key: getattr(email, key) for key in EMAILS[0]}
        for email in registration.emails.order_by("pk")
    ] == EMAILS
    counter = RateLimitCounter.objects.get(key=COUNTER["key"])
    assert (counter.window_start, counter.count) == (COUNTER["window_start"], COUNTER["count"])


def test_permissions_and_the_groups_holding_them_are_kept(before_the_move, django_user_model):
    old_apps = before_the_move
    content_types = old_content_types(old_apps)
    OldGroup = old_apps.get_model("auth", "Group")
    OldPermission = old_apps.get_model("auth", "Permission")
    OldUser = old_apps.get_model("auth", "User")
    OldLogEntry = old_apps.get_model("admin", "LogEntry")
    view = OldPermission.objects.get(
        content_type_id=content_types["registration"], codename="view_registration"
    )
    resend = OldPermission.objects.get(
        content_type_id=content_types["outboundemail"], codename="change_outboundemail"
    )
    auditors = OldGroup.objects.create(name="Registration auditors")
    auditors.permissions.add(view, resend)
    editor_before = set(OldGroup.objects.get(name=EDITOR).permissions.values_list("pk", flat=True))
    assert view.pk in editor_before  # the editor role sees registrations
    user = OldUser.objects.create(username="auditor", is_staff=True)
    user.groups.add(auditors)
    user.user_permissions.add(
        OldPermission.objects.get(
            content_type_id=content_types["registration"], codename="delete_registration"
        )
    )
    OldLogEntry.objects.create(
        user=user,
        content_type_id=content_types["registration"],
        object_id="1",
        object_repr="Nadia Haddad-Núñez (KE), 2026-03-14",
        action_flag=3,
    )

    migrate_to_latest()
    ContentType.objects.clear_cache()

    # The same content types (same ids), now under the registrations label; no duplicates.
    moved = ContentType.objects.filter(model__in=MODELS).order_by("pk")
    assert sorted((ct.pk, ct.app_label, ct.model) for ct in moved) == sorted(
        (pk, "registrations", model) for model, pk in content_types.items()
    )
    assert ContentType.objects.get_for_model(Registration).pk == content_types["registration"]
    assert granted(Group.objects.get(name="Registration auditors")) == {
        (view.pk, "registrations.view_registration"),
        (resend.pk, "registrations.change_outboundemail"),
    }
    editor = Group.objects.get(name=EDITOR)
    assert set(editor.permissions.values_list("pk", flat=True)) == editor_before
    assert (view.pk, "registrations.view_registration") in granted(editor)
    auditor = django_user_model.objects.get(username="auditor")
    assert auditor.get_all_permissions() == {
        "registrations.view_registration",
        "registrations.change_outboundemail",
        "registrations.delete_registration",
    }
    assert (
        not Permission.objects.filter(content_type__app_label="initiatives")
        .filter(codename__endswith="registration")
        .exists()
    )
    entry = LogEntry.objects.get(user=auditor)
    assert entry.get_admin_url() == "/admin/registrations/registration/1/change/"


def test_content_types_that_post_migrate_already_created_are_folded_in(
    before_the_move, django_user_model
):
    """After `migrate initiatives 0014`, post_migrate has created content types under the new
    label too: moving forward keeps one of each, held by whoever held the old ones."""
    old_apps = before_the_move
    content_types = old_content_types(old_apps)
    OldContentType = old_apps.get_model("contenttypes", "ContentType")
    OldGroup = old_apps.get_model("auth", "Group")
    OldPermission = old_apps.get_model("auth", "Permission")
    OldUser = old_apps.get_model("auth", "User")
    OldLogEntry = old_apps.get_model("admin", "LogEntry")
    created = OldContentType.objects.create(app_label="registrations", model="registration")
    new_view = OldPermission.objects.create(
        content_type=created, codename="view_registration", name="Can view registration"
    )
    old_view = OldPermission.objects.get(
        content_type_id=content_types["registration"], codename="view_registration"
    )
    auditors = OldGroup.objects.create(name="Registration auditors")
    auditors.permissions.add(old_view)
    user = OldUser.objects.create(username="auditor", is_staff=True)
    user.user_permissions.add(
        OldPermission.objects.get(
            content_type_id=content_types["registration"], codename="delete_registration"
        )
    )
    OldLogEntry.objects.create(
        user=user,
        content_type_id=content_types["registration"],
        object_id="1",
        object_repr="a registration",
        action_flag=2,
    )

    migrate_to_latest()
    ContentType.objects.clear_cache()

    registration_types = ContentType.objects.filter(model="registration")
    assert [(ct.app_label, ct.pk) for ct in registration_types] == [("registrations", created.pk)]
    assert granted(Group.objects.get(name="Registration auditors")) == {
        (new_view.pk, "registrations.view_registration")
    }
    assert django_user_model.objects.get(username="auditor").get_all_permissions() == {
        "registrations.delete_registration"
    }
    assert LogEntry.objects.get(user__username="auditor").content_type_id == created.pk
    # The other models had no second content type: renamed, ids kept.
    assert ContentType.objects.get_for_model(OutboundEmail).pk == content_types["outboundemail"]
