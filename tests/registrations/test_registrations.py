"""Registering interest through the form: stored with its e-mails queued, bad input refused,
the shortlist.
"""

import re

import pytest

from initiatives.models import Initiative
from initiatives.registrations.delivery import deliver_due
from initiatives.registrations.models import OutboundEmail, RateLimitCounter, Registration
from tests.conftest import registration_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick_forms")]


def test_the_form_offers_the_initiative_asked_for(client, catalogue):
    html = client.get("/register/?initiative=2206a").content.decode()
    assert 'value="2206A" id="initiative-2206A" checked' in html
    assert "deleted 24 months after" in html
    assert client.get("/initiatives/2206A/register-interest/")["Location"] == (
        "/register/?initiative=2206A"
    )


def test_a_registration_is_stored_with_its_queue_before_any_mail_is_sent(client, routed):
    response = client.post("/register/", registration_form())

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/register/done/{registration.reference}/"
    assert sorted(registration.initiatives.values_list("code", flat=True)) == [
        "1101",
        "2206A",
        "3212",
    ]
    assert registration.message == "We would like to join.\nThank you."
    routes = {item.initiative.code: item.recipient for item in registration.items.all()}
    assert routes == {
        "1101": "secretariat@coalition.example",  # INCB: no contact address
        "2206A": "drugs@unodc.example",  # lead organization's address
        "3212": "ana@un.example",  # its own point of contact
    }
    emails = OutboundEmail.objects.filter(registration=registration)
    assert emails.count() == 4  # three recipients and the confirmation
    assert set(emails.values_list("status", flat=True)) == {"pending"}


def test_the_confirmation_page_says_what_went_where(client, routed):
    response = client.post("/register/", registration_form(), follow=True)
    html = response.content.decode()
    assert "Registration received" in html
    assert "Ana Example, UNODC (point of contact)" in html
    assert "United Nations Office on Drugs and Crime (UNODC)" in html
    assert "the Coalition secretariat" in html
    assert "not a guarantee of participation" in html
    # Only the browser that sent it sees it.
    from django.test import Client

    registration = Registration.objects.get()
    assert Client().get(f"/register/done/{registration.reference}/").status_code == 404


def test_a_double_submission_creates_one_registration(client, routed):
    data = registration_form()
    first = client.post("/register/", data)
    second = client.post("/register/", data)
    assert Registration.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert OutboundEmail.objects.count() == 4


def error_summary(html: str) -> list[str]:
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(r"<li>(.*?)</li>", summary, re.S)
    ]


BAD_INPUT = [
    ({"full_name": ""}, "full_name", "This field is required."),
    ({"email": "not-an-address"}, "email", "Enter a valid email address."),
    ({"email": "a@b.example\r\nBcc: x@evil.example"}, "email", "Enter a valid email address."),
    ({"full_name": "Eve\r\nBcc: x@evil.example"}, "full_name", "control character"),
    ({"agency": "Ministry\x00"}, "agency", "Null characters are not allowed."),
    ({"job_title": "Direc\u2028tor"}, "job_title", "control character"),
    ({"message": "x" * 2001}, "message", "at most 2000 characters"),
    ({"full_name": "x" * 121}, "full_name", "at most 120 characters"),
    ({"country": "XX"}, "country", "Select a valid choice"),
    ({"initiatives": []}, "initiatives", "Choose at least one initiative."),
    ({"initiatives": ["2999"]}, "initiatives", "2999 is not a published initiative."),
    ({"consent": None}, "consent", "You must agree"),
    ({"token": "forged"}, "token", "could not be verified"),
    ({"website": "http://spam.example"}, "website", "must be left empty"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_clearly_and_nothing_is_stored(
    client, routed, changes, field, message
):
    response = client.post("/register/", registration_form(**changes))

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert any(message in item for item in error_summary(html)), error_summary(html)
    assert Registration.objects.count() == 0
    assert OutboundEmail.objects.count() == 0
    # Everything typed is kept (apart from what was refused).
    if field != "agency":
        assert 'value="Ministry of Health"' in html


def test_an_unpublished_initiative_is_refused(client, routed):
    Initiative.objects.filter(code="2206A").update(is_published=False)
    response = client.post("/register/", registration_form())
    assert response.status_code == 400
    assert "2206A is not a published initiative." in response.content.decode()
    assert Registration.objects.count() == 0


def test_a_form_sent_too_quickly_is_refused(client, routed, settings):
    settings.REGISTRATION_MIN_FILL_SECONDS = 30
    response = client.post("/register/", registration_form())
    assert response.status_code == 400
    assert "sent too quickly" in response.content.decode()
    assert Registration.objects.count() == 0


def test_the_error_summary_links_to_each_field(client, routed):
    html = client.post("/register/", registration_form(full_name="", email="x")).content.decode()
    assert '<a href="#id_full_name">This field is required.</a>' in html
    assert '<a href="#id_email">Enter a valid email address.</a>' in html
    # The ids Django's widgets point aria-describedby at exist.
    assert 'aria-describedby="id_full_name_error"' in html
    assert '<div id="id_full_name_error">' in html


def test_html_is_escaped_in_pages_and_emails(client, routed, smtp_server):
    client.post(
        "/register/", registration_form(full_name="<b>Bold</b>", message="<script>x</script>")
    )
    response = client.get(Registration.objects.get().get_absolute_url())
    assert "&lt;b&gt;Bold&lt;/b&gt;" in response.content.decode()
    deliver_due()
    for message in smtp_server.messages:
        html = message.get_body(("html",)).get_content()
        assert "<script>" not in html and "<b>Bold" not in html


def test_rate_limit_per_address_answers_429_and_stores_nothing(client, routed, settings):
    settings.REGISTRATION_RATE_LIMITS = {"ip": (2, 3600), "email": (50, 3600)}
    for number in range(2):
        client.post("/register/", registration_form(email=f"person{number}@gov.example"))
    response = client.post("/register/", registration_form(email="third@gov.example"))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many requests" in response.content.decode()
    assert Registration.objects.count() == 2
    # Stored in PostgreSQL (shared by every process), hashed.
    per_address = RateLimitCounter.objects.get(key__startswith="ip:")
    assert per_address.count == 3
    assert "127.0.0.1" not in per_address.key


def test_rate_limit_per_email_address(client, routed, settings):
    settings.REGISTRATION_RATE_LIMITS = {"ip": (50, 3600), "email": (1, 3600)}
    client.post("/register/", registration_form())
    response = client.post("/register/", registration_form(email="MARIA.GOMEZ@minsalud.gov.co"))
    assert response.status_code == 429
    assert Registration.objects.count() == 1


def test_the_shortlist_works_without_javascript(client, catalogue):
    response = client.post("/shortlist/", {"add": "1101", "next": "/?q=precursor"})
    assert response["Location"] == "/?q=precursor"
    client.post("/shortlist/", {"add": "3212"})
    client.post("/shortlist/", {"add": "1101"})  # once only
    client.post("/shortlist/", {"add": "9999"})  # unknown: refused
    html = client.get("/shortlist/").content.decode()
    assert re.findall(r'<li id="shortlist-(\w+)">', html) == ["1101", "3212"]
    assert "Register interest in these 2 initiatives" in html
    form = client.get("/register/").content.decode()
    assert re.findall(r'value="(\w+)" id="initiative-\w+" checked', form) == ["1101", "3212"]
    client.post("/shortlist/", {"remove": "1101"})
    assert re.findall(r'<li id="shortlist-(\w+)">', client.get("/shortlist/").content.decode()) == [
        "3212"
    ]
    # An open redirect is not possible through "next".
    assert (
        client.post("/shortlist/", {"add": "2101", "next": "https://evil.example/"})["Location"]
        == "/shortlist/"
    )


def test_registering_empties_the_shortlist_of_what_was_sent(client, routed):
    for code in ("1101", "3212", "2105"):
        client.post("/shortlist/", {"add": code})
    client.post("/register/", registration_form(initiatives=["1101", "3212"]))
    assert re.findall(r'<li id="shortlist-(\w+)">', client.get("/shortlist/").content.decode()) == [
        "2105"
    ]


def test_list_and_detail_pages_offer_the_shortlist(client, catalogue):
    html = client.get("/").content.decode()
    assert html.count('form="shortlist-form" name="add"') == 118
    client.post("/shortlist/", {"add": "1101"})
    html = client.get("/").content.decode()
    assert html.count('form="shortlist-form" name="add"') == 117
    assert "My shortlist (1)" in html
    detail = client.get("/initiatives/1101/").content.decode()
    assert "On your shortlist" in detail


def test_a_post_without_a_csrf_token_is_refused(routed):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/register/", registration_form())
    assert response.status_code == 403
    assert Registration.objects.count() == 0
