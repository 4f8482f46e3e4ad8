"""Staff and alert subscriptions: the list, its filters, a subscription's e-mails and alerted
changes, unsubscribing someone; editors only look; the outbox and the dashboard with alerts."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from initiatives.alerts.models import AlertedChange, Subscription
from initiatives.alerts.sending import send_alerts
from initiatives.registrations.models import OutboundEmail
from tests.conftest import sign_in_with_second_factor
from tests.factories import backdate_catalogue, make_initiative, make_subscription

pytestmark = pytest.mark.django_db

LIST = "/admin/alerts/subscription/"


@pytest.fixture
def alerted(catalogue):
    """Three subscriptions, one of them alerted of a new initiative and one not confirmed."""
    backdate_catalogue()
    naloxone = make_subscription(search="q=naloxone", email="ana@health.example")
    make_subscription(
        search="q=naloxone",
        frequency="weekly",
        language="fr",
        covered_until=timezone.now() - timedelta(days=8),
    )
    make_subscription(search="group=1.1", confirmed=False, email="waiting@customs.example")
    make_initiative(title="Naloxone kits for border posts")
    send_alerts()
    return naloxone


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw-123456")
    sign_in_with_second_factor(client, user)
    return client


def listed(response) -> list[str]:
    return sorted(s.email for s in response.context["cl"].result_list)


def test_staff_find_subscriptions_by_address_and_filters(staff_client, alerted):
    page = staff_client.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "ana@health.example" in html and "q=naloxone" in html
    assert len(listed(page)) == 3
    assert listed(staff_client.get(LIST + "?confirmed=no")) == ["waiting@customs.example"]
    assert len(listed(staff_client.get(LIST + "?confirmed=yes"))) == 2
    assert len(listed(staff_client.get(LIST + "?frequency__exact=weekly"))) == 1
    assert len(listed(staff_client.get(LIST + "?language__exact=fr"))) == 1
    assert listed(staff_client.get(LIST + "?q=ANA@health")) == ["ana@health.example"]
    assert len(listed(staff_client.get(LIST + "?search=q%3Dnaloxone"))) == 2


def test_a_subscription_shows_its_emails_and_alerted_changes(staff_client, alerted):
    page = staff_client.get(f"{LIST}{alerted.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Search: naloxone" in html  # the search in words
    assert "E-mail alert" in html and "Pending" in html
    change = AlertedChange.objects.get(subscription=alerted)
    assert change.initiative.code in html


def test_unsubscribing_someone_deletes_their_pending_alerts(staff_client, alerted):
    assert OutboundEmail.objects.filter(kind="alert").count() == 2
    response = staff_client.post(
        LIST, {"action": "unsubscribe", "_selected_action": [alerted.pk]}, follow=True
    )
    assert "1 subscription(s) deleted, with their e-mails." in response.content.decode()
    assert not Subscription.objects.filter(pk=alerted.pk).exists()
    assert OutboundEmail.objects.filter(kind="alert").count() == 1  # the other subscriber's
    # The plain delete goes through the same path.
    other = Subscription.objects.confirmed().get()
    staff_client.post(f"{LIST}{other.pk}/delete/", {"post": "yes"})
    assert not OutboundEmail.objects.filter(kind="alert").exists()


def test_editors_see_subscriptions_but_cannot_unsubscribe_or_edit(editor_client, alerted):
    page = editor_client.get(LIST)
    assert page.status_code == 200 and "ana@health.example" in page.content.decode()
    assert page.context["action_form"] is None  # no action they may take
    editor_client.post(LIST, {"action": "unsubscribe", "_selected_action": [alerted.pk]})
    assert Subscription.objects.filter(pk=alerted.pk).exists()
    assert editor_client.get(f"{LIST}{alerted.pk}/delete/").status_code == 403
    detail = editor_client.get(f"{LIST}{alerted.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()


def test_the_outbox_lists_alert_emails_which_have_no_registration(staff_client, alerted):
    page = staff_client.get("/admin/registrations/outboundemail/")
    assert page.status_code == 200
    assert "E-mail alert" in page.content.decode()
    alert = OutboundEmail.objects.filter(kind="alert").first()
    filtered = staff_client.get("/admin/registrations/outboundemail/?kind__exact=alert")
    assert filtered.context["cl"].result_count == 2
    detail = staff_client.get(f"/admin/registrations/outboundemail/{alert.pk}/change/")
    assert detail.status_code == 200
    assert "List-Unsubscribe-Post" in detail.content.decode()
    # Searched by subject, the alerts are found though they have no registration to join.
    searched = staff_client.get("/admin/registrations/outboundemail/?q=naloxone")
    assert searched.context["cl"].result_count == 2


def test_the_dashboard_counts_followed_searches_most_followed_first(staff_client, alerted):
    make_subscription(search="q=naloxone", confirmed=False)
    page = staff_client.get("/admin/quality/")
    html = page.content.decode()
    section = html[html.index("<h2>E-mail alerts</h2>") :]
    rows = page.context["followed_searches"]
    assert [(row.confirmed, row.pending) for row in rows] == [(2, 1), (0, 1)]
    assert rows[0].label == "Search: naloxone"
    assert rows[1].label.startswith("Sub-working group: 1.1 ")
    assert page.context["followed_totals"] == {"confirmed": 2, "pending": 2, "searches": 2}
    assert 'href="/admin/alerts/subscription/?search=q%3Dnaloxone"' in section
    assert "2 confirmed subscriptions and 2 waiting for confirmation, to 2 searches" in section
    # The link opens the list filtered to that search.
    followed = staff_client.get("/admin/alerts/subscription/?search=q%3Dnaloxone")
    assert followed.context["cl"].result_count == 3


def test_the_dashboard_links_the_whole_catalogue_followed_to_its_subscriptions(
    staff_client, catalogue
):
    everything = make_subscription(search="")
    make_subscription(search="q=precursors")
    [row, _] = staff_client.get("/admin/quality/").context["followed_searches"]
    assert row.label == "Every initiative in the catalogue"
    assert row.url == "/admin/alerts/subscription/?search="
    followed = staff_client.get(row.url)
    assert [s.pk for s in followed.context["cl"].result_list] == [everything.pk]


def test_the_dashboard_says_when_no_one_follows_a_search(staff_client, catalogue):
    html = staff_client.get("/admin/quality/").content.decode()
    assert "No one follows a search by e-mail yet." in html
