"""Registrations in the registrant's language: the confirmation in it, the requests in English
naming it, delivered over real SMTP."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from initiatives.registrations.delivery import deliver_due
from initiatives.registrations.models import Registration
from tests.conftest import registration_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick_forms")]


def delivered(smtp_server) -> dict:
    return {
        tuple(envelope[1]): message
        for envelope, message in zip(smtp_server.envelopes, smtp_server.messages, strict=True)
    }


def plain(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_a_registration_records_the_language_it_was_made_in(client, routed):
    response = client.post("/es/register/", registration_form())
    assert response.status_code == 302
    assert response["Location"].startswith("/es/register/done/")
    registration = Registration.objects.get()
    assert registration.language == "es"
    done = client.get(response["Location"]).content.decode()
    assert "Ana Example, UNODC (punto de contacto)" in done
    assert "la secretaría de la Coalición" in done
    # The stored labels stay in English, as staff read them in the admin.
    labels = set(registration.items.values_list("recipient_label", flat=True))
    assert "Ana Example, UNODC (point of contact)" in labels
    assert "the Coalition secretariat" in labels


def test_the_confirmation_is_in_the_registrants_language(client, routed, smtp_server):
    client.post("/fr/register/", registration_form())
    assert deliver_due().sent == 4
    by_recipient = delivered(smtp_server)

    confirmation = by_recipient[("maria.gomez@minsalud.gov.co",)]
    with translation.override("fr"):
        subject = gettext("Your registration of interest has been received")
    assert subject == "Votre manifestation d’intérêt a bien été reçue"
    assert confirmation["Subject"].strip() == subject  # a folded, encoded header
    body = plain(confirmation)
    assert body.startswith("Bonjour Maria Gómez,")
    assert "Ana Example, UNODC (point de contact), pour\u00a0:\n- 3212" in body
    assert "le secrétariat de la Coalition, pour\u00a0:\n- 1101" in body
    assert "ne garantit pas la participation" in body
    assert "Dear" not in body and "point of contact" not in body
    html = confirmation.get_body(("html",)).get_content()
    assert '<html lang="fr" dir="ltr">' in html
    assert 'href="http://testserver/fr/initiatives/3212/"' in html
    assert "http://testserver/fr/\n" in body  # the catalogue, in French


def test_the_requests_stay_in_english_and_name_the_language(client, routed, smtp_server):
    client.post("/ar/register/", registration_form())
    deliver_due()
    by_recipient = delivered(smtp_server)

    request = by_recipient[("ana@un.example",)]
    assert request["Subject"] == "Registration of interest (Colombia): initiative 3212"
    body = plain(request)
    assert body.startswith("Dear colleague,")
    assert "Language of the registrant: العربية (ar)" in body
    assert "http://testserver/initiatives/3212/" in body and "/ar/" not in body
    html = request.get_body(("html",)).get_content()
    assert "<td>العربية (ar)</td>" in html

    confirmation = by_recipient[("maria.gomez@minsalud.gov.co",)]
    assert '<html lang="ar" dir="rtl">' in confirmation.get_body(("html",)).get_content()
    assert "http://testserver/ar/" in plain(confirmation)


def test_english_registrations_are_unchanged(client, routed, smtp_server):
    client.post("/register/", registration_form())
    deliver_due()
    by_recipient = delivered(smtp_server)
    assert Registration.objects.get().language == "en"
    confirmation = plain(by_recipient[("maria.gomez@minsalud.gov.co",)])
    assert confirmation.startswith("Dear Maria Gómez,")
    assert "Language of the registrant: English (en)" in plain(by_recipient[("ana@un.example",)])
