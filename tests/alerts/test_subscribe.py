"""Following a search: the page, the form's checks, the limits, and the confirmation e-mail
queued in the outbox."""

import re

import pytest
from django.core import mail
from django.utils import translation

from initiatives.alerts.models import Subscription, SubscriptionEmail
from initiatives.registrations.models import OutboundEmail
from tests.alerts.conftest import make_subscription, subscribe_form

pytestmark = pytest.mark.django_db

ADDRESS = "lena.novak@health.gov.example"
FOLLOWED = "/alerts/?q=naloxone&group=3.2&organization=UNODC&sort=title&page=2"


def test_every_list_page_links_to_alerts_for_its_search(client, catalogue):
    page = client.get("/?q=naloxone&group=3.2").content.decode()
    assert 'href="/alerts/?q=naloxone&amp;group=3.2">Get e-mail alerts for this search</a>' in page
    browsed = client.get("/").content.decode()
    assert 'href="/alerts/">Get e-mail alerts for this search</a>' in browsed


def test_a_search_without_results_links_to_alerts_too(client, catalogue):
    page = client.get("/?q=zzqxwv").content.decode()
    assert "empty-state" in page
    assert 'href="/alerts/?q=zzqxwv">Get e-mail alerts for this search</a>' in page


def test_the_page_names_the_search_in_words(client, catalogue):
    page = client.get(FOLLOWED).content.decode()
    assert "<h1>Get e-mail alerts for this search</h1>" in page
    assert "<li>Search: naloxone</li>" in page
    assert re.search(r"<li>Sub-working group: 3\.2 [^<]+</li>", page)
    assert "<li>Implementing organization: UNODC</li>" in page
    # The sort and page are not part of what is followed.
    assert 'href="/?group=3.2&amp;organization=UNODC&amp;q=naloxone"' in page
    checked = re.findall(r'<input type="radio" name="frequency" value="(\w+)"[^>]* checked', page)
    assert checked == ["daily"]
    assert '<a href="/privacy/">privacy notice</a>' in page


def test_the_page_is_in_the_languages_of_the_site(client, catalogue):
    page = client.get("/fr/alerts/?organization=UNODC").content.decode()
    assert 'lang="fr"' in page
    assert "ONUDD" in page
    with translation.override("fr"):
        assert translation.gettext("Get e-mail alerts for this search") in page


def test_no_filter_follows_every_initiative(client, catalogue):
    page = client.get("/alerts/").content.decode()
    assert "Every initiative in the catalogue" in page


def test_subscribing_queues_one_confirmation_and_says_check_your_inbox(
    client, catalogue, quick_forms
):
    response = client.post(FOLLOWED, subscribe_form(frequency="weekly"))
    assert response.status_code == 302
    assert response["Location"] == "/alerts/check-your-email/"
    subscription = Subscription.objects.get()
    assert subscription.email == ADDRESS
    assert subscription.search == "group=3.2&organization=UNODC&q=naloxone"
    assert subscription.frequency == "weekly"
    assert subscription.language == "en"
    assert not subscription.is_confirmed
    email = OutboundEmail.objects.get()
    assert SubscriptionEmail.objects.get().email == email
    assert email.kind == OutboundEmail.Kind.ALERT_CONFIRMATION
    assert email.registration is None
    assert email.to == [ADDRESS]
    assert email.subject == "Confirm your e-mail alert"
    assert email.message_id == f"<alert-confirm-{subscription.reference}-1@initiatives-catalogue>"
    link = re.search(r"http://testserver/alerts/confirm/[^/\s]+/", email.body_text).group()
    assert f'href="{link}"' in email.body_html
    assert "- Search: naloxone" in email.body_text
    assert "- Implementing organization: UNODC" in email.body_text
    assert "How often: Weekly digest" in email.body_text
    assert "expires in 7 days" in email.body_text
    assert "nothing will be sent" in email.body_text
    assert mail.outbox == []  # the worker sends it, after the commit
    page = client.get(response["Location"]).content.decode()
    assert "<h1>Check your inbox</h1>" in page
    assert ADDRESS not in page


def test_the_confirmation_is_in_the_language_of_the_page(client, catalogue, quick_forms):
    client.post("/fr/alerts/?organization=UNODC", subscribe_form())
    subscription = Subscription.objects.get()
    assert subscription.language == "fr"
    email = OutboundEmail.objects.get()
    with translation.override("fr"):
        assert email.subject == translation.gettext("Confirm your e-mail alert")
        assert translation.gettext("How often:") in email.body_text
    assert email.subject != "Confirm your e-mail alert"
    assert re.search(r"http://testserver/fr/alerts/confirm/[^/\s]+/", email.body_text)
    assert "ONUDD" in email.body_text
    assert 'lang="fr"' in email.body_html


def test_following_the_same_search_again_unconfirmed_sends_a_new_confirmation(
    client, catalogue, quick_forms
):
    client.post("/alerts/?q=naloxone", subscribe_form())
    client.post("/alerts/?q=naloxone", subscribe_form(email=ADDRESS.upper(), frequency="weekly"))
    subscription = Subscription.objects.get()
    assert subscription.frequency == "weekly"
    assert {e.message_id for e in OutboundEmail.objects.all()} == {
        f"<alert-confirm-{subscription.reference}-{n}@initiatives-catalogue>" for n in (1, 2)
    }


def test_following_a_confirmed_search_again_only_changes_its_frequency(
    client, catalogue, quick_forms
):
    subscription = make_subscription(search="q=naloxone")
    response = client.post("/alerts/?q=naloxone", subscribe_form(frequency="immediately"))
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.frequency == "immediately"
    assert subscription.is_confirmed
    assert not OutboundEmail.objects.exists()


def test_an_address_follows_at_most_the_limit(client, catalogue, quick_forms, settings):
    settings.ALERTS_MAX_PER_ADDRESS = 2
    make_subscription(search="q=naloxone")
    make_subscription(search="group=1.1", confirmed=False)
    response = client.post("/alerts/?q=fentanyl", subscribe_form())
    assert response.status_code == 400
    assert "already follows 2 searches" in response.content.decode()
    assert Subscription.objects.count() == 2
    assert not OutboundEmail.objects.exists()
    # Another address is not concerned.
    other = client.post("/alerts/?q=fentanyl", subscribe_form(email="b@x.example"))
    assert other.status_code == 302


def error_page(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 400
    assert not Subscription.objects.exists()
    assert not OutboundEmail.objects.exists()
    page = response.content.decode()
    assert 'id="error-summary"' in page
    return page


@pytest.mark.parametrize(
    "email",
    [
        "not-an-address",
        "lena@health.gov.example\r\nBcc: victim@example.org",
        "lena\n@health.gov.example",
        "x" * 250 + "@example.org",
        "",
    ],
)
def test_a_bad_address_is_refused(client, catalogue, quick_forms, email):
    page = error_page(client, "/alerts/?q=naloxone", subscribe_form(email=email))
    assert 'aria-describedby="id_email_helptext id_email_error"' in page or (
        'aria-invalid="true"' in page and "id_email_error" in page
    )
    assert '<a href="#id_email">' in page


def test_a_control_character_in_the_address_is_named(client, catalogue, quick_forms):
    page = error_page(client, "/alerts/", subscribe_form(email="lena@health.gov\x00.example"))
    assert "Remove the invisible control character at position 16." in page


def test_the_frequency_is_one_of_three(client, catalogue, quick_forms):
    page = error_page(client, "/alerts/", subscribe_form(frequency="hourly"))
    assert '<a href="#frequency">' in page
    assert 'aria-describedby="id_frequency_error"' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("group=9.9", "Sub-working group “9.9”: Select a valid choice."),
        ("organization=NOPE", "Implementing organization “NOPE”: Select a valid choice."),
        ("q=" + "x" * 201, "Search: at most 200 characters."),
        ("q=a%0D%0Ab", "Search: Remove the invisible control character at position 2."),
        ("group=1.1%00", "Sub-working group: Remove the invisible control character"),
        ("&".join(["group=1.1"] * 51), "Sub-working group: choose at most 50 values."),
    ],
)
def test_a_search_that_cannot_be_followed_is_a_clear_error(
    client, catalogue, quick_forms, query, message
):
    shown = client.get(f"/alerts/?{query}")
    assert shown.status_code == 400
    assert message in shown.content.decode()
    assert 'name="email"' not in shown.content.decode()
    page = error_page(client, f"/alerts/?{query}", subscribe_form())
    assert message in page
    assert '<a href="#followed-search">' in page


def test_the_honeypot_refuses_bots(client, catalogue, quick_forms):
    page = error_page(client, "/alerts/", subscribe_form(website="http://spam.example"))
    assert "This field must be left empty." in page


def test_a_form_sent_too_fast_is_refused_with_a_fresh_token(client, catalogue, settings):
    settings.REGISTRATION_MIN_FILL_SECONDS = 60
    data = subscribe_form()
    page = error_page(client, "/alerts/", data)
    assert "sent too quickly" in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    assert token != data["token"]


def test_a_forged_form_token_is_refused(client, catalogue, quick_forms):
    page = error_page(client, "/alerts/", subscribe_form(token="forged"))
    assert "could not be verified" in page


def test_the_rate_limit_per_address_applies(client, catalogue, quick_forms, settings):
    settings.REGISTRATION_RATE_LIMITS = {"ip": (100, 3600), "email": (2, 3600)}
    for search in ("q=a", "q=b"):
        assert client.post(f"/alerts/?{search}", subscribe_form()).status_code == 302
    response = client.post("/alerts/?q=c", subscribe_form())
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many requests" in response.content.decode()
    assert Subscription.objects.count() == 2


def test_the_rate_limit_per_connection_applies(client, catalogue, quick_forms, settings):
    settings.REGISTRATION_RATE_LIMITS = {"ip": (1, 3600), "email": (100, 3600)}
    assert client.post("/alerts/?q=a", subscribe_form()).status_code == 302
    response = client.post("/alerts/?q=b", subscribe_form(email="other@x.example"))
    assert response.status_code == 429
    assert Subscription.objects.count() == 1


def test_the_address_is_never_logged(client, catalogue, quick_forms, caplog):
    caplog.set_level("DEBUG")
    client.post("/alerts/?q=naloxone", subscribe_form())
    client.post("/alerts/?q=naloxone", subscribe_form(email="bad\r\n@x"))
    assert Subscription.objects.exists()
    assert ADDRESS not in caplog.text
    assert "naloxone" not in caplog.text


def test_the_privacy_notice_says_what_alerts_keep(client, db):
    page = client.get("/privacy/").content.decode()
    assert "<h1>Privacy notice</h1>" in page
    assert "An alert that is not confirmed within 7 days is deleted" in page
    assert "When you stop an alert, it and its e-mails are deleted at once" in page
    assert "used only to send the alerts you asked for" in page
    assert "no tracking" in page
    assert 'href="/privacy/"' in client.get("/register/").content.decode()
