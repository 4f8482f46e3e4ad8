"""``send_alerts``: each due subscription gets one e-mail naming what changed in its search,
and each change is named once per subscription, however often and however many copies run."""

import logging
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from initiatives.alerts.models import AlertedChange, Subscription, SubscriptionEmail
from initiatives.alerts.sending import alert_subject, send_alerts
from initiatives.models import Initiative
from initiatives.registrations.models import OutboundEmail
from tests.factories import backdate_catalogue, make_initiative, make_subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiet(catalogue):
    """The real catalogue, with nothing changed in the last 30 days."""
    backdate_catalogue()
    return catalogue


def alerts_of(subscription) -> list[OutboundEmail]:
    return list(
        OutboundEmail.objects.filter(
            pk__in=SubscriptionEmail.objects.filter(subscription=subscription).values("email"),
            kind=OutboundEmail.Kind.ALERT,
        )
    )


def test_a_new_initiative_of_the_search_is_alerted_once(quiet):
    subscription = make_subscription(search="q=naloxone")
    new = make_initiative(title="Naloxone kits for border posts", lead_organization="UNODC")
    make_initiative(title="Canine detection teams")  # not of this search

    report = send_alerts()

    assert (report.checked, report.queued) == (1, 1)
    [email] = alerts_of(subscription)
    assert email.to == [subscription.email] and email.status == "pending"
    assert email.subject == "New and updated initiatives for your search: “naloxone”"
    assert f"{new.code} Naloxone kits for border posts\nNew · 3.2 " in email.body_text
    assert "Canine" not in email.body_text
    assert f"http://127.0.0.1:8000/initiatives/{new.code}/" in email.body_text
    changes = AlertedChange.objects.filter(subscription=subscription)
    assert [(c.initiative_id, c.changed_at, c.email_id) for c in changes] == [
        (new.pk, new.changed_at, email.pk)
    ]
    subscription.refresh_from_db()
    assert subscription.last_alert_at is not None
    assert subscription.covered_until == subscription.last_alert_at

    # Run again: nothing new, nothing sent again.
    again = send_alerts()
    assert (again.checked, again.queued) == (1, 0)
    assert len(alerts_of(subscription)) == 1


def test_an_edited_initiative_is_alerted_as_updated_and_each_change_once(quiet):
    subscription = make_subscription(search="q=naloxone")
    initiative = Initiative.objects.get(code="3210")  # a naloxone initiative of the catalogue
    initiative.last_reviewed = timezone.localdate()
    initiative.save()  # nothing a reader sees: no alert
    assert send_alerts().queued == 0

    initiative.status = "active"
    initiative.save()
    assert send_alerts().queued == 1
    [first] = alerts_of(subscription)
    assert "3210 " in first.body_text and "Updated · 3.2 " in first.body_text
    assert "New ·" not in first.body_text

    initiative.status = "completed"
    initiative.save()  # a later change of the same initiative: named again
    assert send_alerts().queued == 1
    named = AlertedChange.objects.filter(subscription=subscription, initiative=initiative)
    assert named.count() == 2


def test_only_initiatives_matching_the_whole_search_are_alerted(quiet):
    subscription = make_subscription(search="q=naloxone+pharmacies")
    whole = make_initiative(title="Naloxone through community pharmacies")
    make_initiative(title="Naloxone in emergency departments")  # "naloxone" only

    assert send_alerts().queued == 1
    [email] = alerts_of(subscription)
    assert whole.code in email.body_text
    assert "emergency departments" not in email.body_text


def test_filters_unpublished_initiatives_and_other_groups_are_left_out(quiet):
    subscription = make_subscription(search="group=3.2")
    in_group = make_initiative(sub_working_group="3.2", title="Precursor tracing")
    make_initiative(sub_working_group="1.1", title="Precursor tracing elsewhere")
    make_initiative(sub_working_group="3.2", title="Draft", is_published=False)
    send_alerts()
    [email] = alerts_of(subscription)
    assert [c.initiative_id for c in AlertedChange.objects.all()] == [in_group.pk]
    assert "Draft" not in email.body_text and "elsewhere" not in email.body_text


def test_nothing_new_sends_nothing_but_moves_the_coverage(quiet):
    subscription = make_subscription(search="q=naloxone")
    before = subscription.covered_until
    assert send_alerts().queued == 0
    subscription.refresh_from_db()
    assert subscription.covered_until > before and subscription.last_alert_at is None
    assert OutboundEmail.objects.count() == 0


def test_a_change_committed_late_is_still_named_once(quiet):
    subscription = make_subscription(search="q=naloxone")
    late = make_initiative(title="Naloxone in prisons")
    # Its change carries a time just before what the last run covered (it committed after).
    Initiative.objects.filter(pk=late.pk).update(
        changed_at=subscription.covered_until - timedelta(minutes=2)
    )
    assert send_alerts().queued == 1
    assert send_alerts().queued == 0
    assert AlertedChange.objects.filter(initiative=late).count() == 1


def test_digests_wait_for_their_day_or_week(quiet):
    now = timezone.now()
    daily = make_subscription(frequency="daily", covered_until=now - timedelta(hours=12))
    weekly = make_subscription(frequency="weekly", covered_until=now - timedelta(days=6))
    # Yesterday's cron run started a little later than today's: still due.
    daily_due = make_subscription(
        frequency="daily", covered_until=now - timedelta(days=1) + timedelta(seconds=30)
    )
    weekly_due = make_subscription(frequency="weekly", covered_until=now - timedelta(days=7))
    immediate = make_subscription(covered_until=now - timedelta(minutes=1))
    make_initiative(title="Something new for everyone")

    report = send_alerts(now=now)

    assert (report.checked, report.queued) == (3, 3)
    assert [bool(alerts_of(s)) for s in (daily, weekly, daily_due, weekly_due, immediate)] == [
        False,
        False,
        True,
        True,
        True,
    ]
    daily.refresh_from_db()
    assert daily.covered_until == now - timedelta(hours=12)  # not due: untouched


def test_unconfirmed_subscriptions_are_deleted_with_their_emails_after_seven_days(quiet):
    old = make_subscription(confirmed=False, created_at=timezone.now() - timedelta(days=8))
    confirmation = OutboundEmail.objects.create(
        kind=OutboundEmail.Kind.ALERT_CONFIRMATION,
        to=[old.email],
        subject="Confirm",
        body_text="…",
        message_id="<confirm-old@test>",
    )
    SubscriptionEmail.objects.create(subscription=old, email=confirmation)
    recent = make_subscription(confirmed=False, created_at=timezone.now() - timedelta(days=6))
    confirmed_long_ago = make_subscription(created_at=timezone.now() - timedelta(days=30))

    report = send_alerts()

    assert report.unconfirmed_deleted == 1
    assert set(Subscription.objects.values_list("pk", flat=True)) == {
        recent.pk,
        confirmed_long_ago.pk,
    }
    assert not OutboundEmail.objects.filter(pk=confirmation.pk).exists()


def test_a_search_no_longer_understood_alerts_nothing(quiet, caplog):
    subscription = make_subscription(search="organization=GONE")
    make_initiative(title="Anything at all")
    with caplog.at_level(logging.WARNING, logger="initiatives.alerts.sending"):
        assert send_alerts().queued == 0
    assert str(subscription.reference) in caplog.text and "no longer valid" in caplog.text


def test_the_subject_is_one_line_and_bounded():
    subject = alert_subject("naloxone\r\nBcc: victim@example.org", "")
    assert "\n" not in subject and "\r" not in subject
    assert subject.endswith("search: “naloxone Bcc: victim@example.org”")
    assert len(alert_subject("x" * 5000, "")) <= 240
    assert alert_subject("", "Status: active\n").endswith("search: “Status: active”")
    assert alert_subject("", "") == "New and updated initiatives in the catalogue"


def test_the_command_prints_a_summary_and_logs_no_address(quiet, caplog):
    subscription = make_subscription(search="q=naloxone")
    make_initiative(title="Naloxone everywhere")
    out = StringIO()
    with caplog.at_level(logging.DEBUG):
        call_command("send_alerts", stdout=out)
    assert out.getvalue().strip() == (
        "Checked 1 subscription(s), queued 1 alert(s), deleted 0 unconfirmed subscription(s)."
    )
    assert "queued for subscription" in caplog.text
    assert subscription.email not in caplog.text + out.getvalue()
    assert "@agency.example" not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_two_copies_at_once_alert_a_change_once():
    from django.conf import settings

    from initiatives.seeding.loader import load_seed_file

    load_seed_file(settings.SEED_FILE)
    backdate_catalogue()
    subscription = make_subscription(search="q=naloxone")
    make_initiative(title="Naloxone for two workers")
    start = threading.Barrier(2)
    reports = []

    def run():
        try:
            start.wait(timeout=10)
            reports.append(send_alerts())
        finally:
            connection.close()

    copies = [threading.Thread(target=run) for _ in range(2)]
    for copy in copies:
        copy.start()
    for copy in copies:
        copy.join(timeout=60)

    assert len(reports) == 2
    assert sum(report.queued for report in reports) == 1
    assert AlertedChange.objects.filter(subscription=subscription).count() == 1
    assert len(alerts_of(subscription)) == 1


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_alert_costs_the_same_queries_for_one_initiative_or_many(quiet, language):
    from django.db import connection as database
    from django.test.utils import CaptureQueriesContext

    def queries_for(count: int) -> int:
        subscription = make_subscription(search="group=3.2", language=language)
        for number in range(count):
            make_initiative(title=f"Precursor tracing {number}", lead_organization="UNODC")
        with CaptureQueriesContext(database) as captured:
            assert send_alerts().queued == 1
        Subscription.objects.filter(pk=subscription.pk).delete_with_emails()
        return len(captured)

    assert queries_for(1) == queries_for(6)
