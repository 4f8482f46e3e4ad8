"""register_interest: one transaction that stores a registration and queues its e-mails."""

from dataclasses import asdict

import pytest
from django.core import mail

from initiatives.models import Initiative
from initiatives.registrations import services
from initiatives.registrations.models import OutboundEmail, Registration, RegistrationItem
from initiatives.registrations.services import RegistrantDetails, register_interest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick_forms")]

REGISTRANT = RegistrantDetails(
    full_name="Maria Gómez",
    job_title="Head of Precursor Control",
    agency="Ministry of Health",
    country="CO",
    email="maria.gomez@minsalud.gov.co",
    consent=True,
    phone="+57 1 330 5000",
    message="We would like to join.",
)


def chosen(*codes: str) -> list[Initiative]:
    return list(Initiative.objects.filter(code__in=codes).order_by("code"))


def register(token: str = "token-1", **changes) -> Registration:
    arguments = {
        "initiatives": chosen("1101", "2206A", "3212"),
        "registrant": REGISTRANT,
        "submission_token": token,
        "site_url": "https://catalogue.example/",
    }
    return register_interest(**{**arguments, **changes})


def test_it_stores_the_registration_its_routes_and_queued_emails_and_sends_nothing(routed):
    registration = register()

    assert Registration.objects.get() == registration
    assert registration.submission_token == "token-1"
    assert (registration.full_name, registration.country.code, registration.phone) == (
        "Maria Gómez",
        "CO",
        "+57 1 330 5000",
    )
    routes = {
        item.initiative.code: (item.recipient, item.recipient_kind)
        for item in registration.items.select_related("initiative")
    }
    assert routes == {
        "1101": ("secretariat@coalition.example", "secretariat"),
        "2206A": ("drugs@unodc.example", "organization"),
        "3212": ("ana@un.example", "contact"),
    }
    emails = list(registration.emails.order_by("message_id"))
    assert [(email.kind, email.to, email.status) for email in emails] == [
        ("confirmation", ["maria.gomez@minsalud.gov.co"], "pending"),
        ("request", ["secretariat@coalition.example"], "pending"),
        ("request", ["drugs@unodc.example"], "pending"),
        ("request", ["ana@un.example"], "pending"),
    ]
    assert {tuple(email.reply_to) for email in emails if email.kind == "request"} == {
        ("maria.gomez@minsalud.gov.co",)
    }
    assert "https://catalogue.example/" in emails[0].body_text
    assert mail.outbox == []  # the delivery worker sends them, after the commit


def test_the_registrant_may_be_given_as_a_mapping_such_as_a_forms_cleaned_data(routed):
    cleaned_data = {
        **asdict(REGISTRANT),
        "token": "token-2",
        "website": "",
        "initiatives": Initiative.objects.filter(code="3212"),
    }
    registration = register_interest(
        initiatives=list(cleaned_data["initiatives"]),
        registrant=cleaned_data,
        submission_token=cleaned_data["token"],
        site_url="https://catalogue.example/",
    )
    assert registration.email == "maria.gomez@minsalud.gov.co"
    assert list(registration.initiatives.values_list("code", flat=True)) == ["3212"]


def test_the_same_submission_token_returns_the_stored_registration_and_queues_nothing(routed):
    first = register()
    again = register(initiatives=chosen("1101"), registrant={**asdict(REGISTRANT), "agency": "X"})

    assert again == first
    assert Registration.objects.count() == 1
    assert RegistrationItem.objects.count() == 3
    assert OutboundEmail.objects.count() == 4
    assert Registration.objects.get().agency == "Ministry of Health"


def test_an_initiative_given_twice_is_registered_once(routed):
    registration = register(initiatives=chosen("3212") * 2)
    assert registration.items.count() == 1
    assert registration.emails.count() == 2  # its contact and the confirmation


def test_nothing_is_stored_when_queuing_the_emails_fails(routed, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr(services, "_emails", broken)
    with pytest.raises(RuntimeError, match="template missing"):
        register()
    assert Registration.objects.count() == 0
    assert RegistrationItem.objects.count() == 0
    assert OutboundEmail.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"registrant": {**asdict(REGISTRANT), "consent": False}}, "consent"),
        ({"initiatives": []}, "at least one initiative"),
    ],
)
def test_a_registration_without_consent_or_initiatives_is_refused(routed, changes, message):
    with pytest.raises(ValueError, match=message):
        register(**changes)
    assert Registration.objects.count() == 0


def test_arguments_are_keyword_only(routed):
    with pytest.raises(TypeError):
        register_interest(chosen("3212"), REGISTRANT, "token-3", "https://catalogue.example/")


def test_a_language_the_catalogue_does_not_speak_is_refused_and_nothing_stored(routed):
    with pytest.raises(ValueError, match="'de' is not one of the catalogue's languages"):
        register(language="de")
    assert not Registration.objects.exists() and not OutboundEmail.objects.exists()


def test_the_confirmation_is_queued_in_the_registrants_language(routed):
    registration = register(language="es")
    assert registration.language == "es"
    confirmation = registration.emails.get(kind="confirmation")
    request = registration.emails.filter(kind="request").first()
    assert confirmation.subject == "Hemos recibido su manifestación de interés"
    assert '<html lang="es" dir="ltr">' in confirmation.body_html
    assert "Language of the registrant: Español (es)" in request.body_text
    assert request.subject.startswith("Registration of interest (Colombia)")
