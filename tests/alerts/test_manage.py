"""The manage page: every confirmed alert of the address, each one's frequency, stopping one
or all."""

import pytest
from django.test import Client

from initiatives.alerts import tokens
from initiatives.alerts.models import Subscription
from tests.alerts.conftest import link, make_subscription

pytestmark = pytest.mark.django_db

ADDRESS = "lena.novak@health.gov.example"


@pytest.fixture
def followed(catalogue):
    """Two confirmed alerts and an unconfirmed one of one address, and another address's."""
    return {
        "naloxone": make_subscription(search="q=naloxone"),
        "unodc": make_subscription(email=ADDRESS.upper(), search="organization=UNODC"),
        "pending": make_subscription(search="group=1.1", confirmed=False),
        "other": make_subscription(email="someone@else.example", search="group=2.1"),
    }


def test_the_page_lists_the_confirmed_alerts_of_the_address(client, followed):
    response = client.get(link("manage", followed["naloxone"], tokens.MANAGE))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Your e-mail alerts</h1>" in page
    assert "This address follows 2 searches." in page
    assert "<li>Search: naloxone</li>" in page
    assert "<li>Implementing organization: UNODC</li>" in page
    assert 'href="/?q=naloxone"' in page
    assert 'href="/?organization=UNODC"' in page
    listed = page.split('<ol class="alert-list">')[1].split("</ol>")[0]
    assert listed.count('<li class="alert-item"') == 2
    # Neither the unconfirmed alert nor another address's.
    assert "Sub-working group" not in listed
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert f'id="id_frequency_{followed["naloxone"].reference}"' in page
    assert '<option value="daily" selected>Daily digest</option>' in page


def test_the_frequency_of_one_alert_changes(client, followed):
    url = link("manage", followed["naloxone"], tokens.MANAGE)
    target = followed["unodc"]
    response = client.post(
        url, {"action": "frequency", "subscription": target.reference, "frequency": "weekly"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.frequency == "weekly"
    followed["naloxone"].refresh_from_db()
    assert followed["naloxone"].frequency == "daily"
    page = client.get(response["Location"]).content.decode()
    assert "Saved: Weekly digest for Implementing organization: UNODC" in page


def test_an_unknown_frequency_changes_nothing(client, followed):
    url = link("manage", followed["naloxone"], tokens.MANAGE)
    target = followed["naloxone"]
    response = client.post(
        url, {"action": "frequency", "subscription": target.reference, "frequency": "hourly"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.frequency == "daily"
    assert "Choose how often, then save." in client.get(response["Location"]).content.decode()


def test_another_addresss_alert_cannot_be_touched(client, followed):
    url = link("manage", followed["naloxone"], tokens.MANAGE)
    other = followed["other"]
    for action in ("frequency", "unsubscribe"):
        client.post(url, {"action": action, "subscription": other.reference, "frequency": "weekly"})
    other.refresh_from_db()
    assert other.frequency == "daily"


def test_stopping_one_alert_keeps_the_others(client, followed):
    url = link("manage", followed["naloxone"], tokens.MANAGE)
    response = client.post(
        url, {"action": "unsubscribe", "subscription": followed["naloxone"].reference}
    )
    # The link's own alert is gone: the page stays reachable through another one.
    assert response.status_code == 302
    assert tokens.read(response["Location"].split("/")[-2], tokens.MANAGE) == followed["unodc"]
    assert set(Subscription.objects.values_list("search", flat=True)) == {
        "organization=UNODC",
        "group=1.1",
        "group=2.1",
    }
    page = client.get(response["Location"]).content.decode()
    assert "You will no longer receive alerts for: Search: naloxone" in page
    assert "This address follows 1 search." in page


def test_stopping_all_alerts_of_the_address(client, followed):
    response = client.post(
        link("manage", followed["naloxone"], tokens.MANAGE), {"action": "unsubscribe_all"}
    )
    assert response.status_code == 200
    assert "All your alerts are stopped" in response.content.decode()
    assert list(Subscription.objects.values_list("search", flat=True)) == ["group=2.1"]


def test_a_forged_or_dead_link_is_refused(client, followed):
    assert client.get("/alerts/manage/forged/").status_code == 404
    assert client.post("/alerts/manage/forged/", {"action": "unsubscribe_all"}).status_code == 404
    assert Subscription.objects.count() == 4
    url = link("manage", followed["naloxone"], tokens.MANAGE)
    Subscription.objects.filter(email__iexact=ADDRESS).delete_with_emails()
    assert client.get(url).status_code == 404


def test_the_forms_need_the_csrf_token(followed):
    response = Client(enforce_csrf_checks=True).post(
        link("manage", followed["naloxone"], tokens.MANAGE), {"action": "unsubscribe_all"}
    )
    assert response.status_code == 403
    assert Subscription.objects.count() == 4
