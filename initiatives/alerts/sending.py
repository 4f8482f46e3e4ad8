"""Send e-mail alerts (``manage.py send_alerts``): each due subscription gets one e-mail naming
the initiatives of its search that were published or changed since the changes it last covered.

Each subscription is treated in its own short transaction, its row locked with SKIP LOCKED: two
copies of the command at once never treat the same subscription, and each takes what the other
has left. The e-mail goes into the outbox (the delivery worker sends it) in the same transaction
that records each change it names (``AlertedChange``, unique per subscription, initiative and
change): a change is named once per subscription, however often and however many copies run.
"""

import logging
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext

from ..filters import InitiativeFilter
from ..models import Initiative
from ..registrations.models import OutboundEmail
from ..registrations.services import MESSAGE_DOMAIN
from . import tokens
from .describe import describe_search, search_url
from .models import AlertedChange, Subscription, SubscriptionEmail

logger = logging.getLogger(__name__)

# A daily or weekly cron job starts a little later than the run it follows: still due.
DUE_SLACK = timedelta(minutes=10)
# An edit committed after a run started carries an earlier changed_at than that start: each run
# looks back this far before what was covered (AlertedChange keeps a change from being named
# twice).
LATE_COMMITS = timedelta(minutes=5)
SUBJECT_MAX = 240
SEARCH_IN_SUBJECT_MAX = 120
LIST_ID = f"Initiatives Catalogue alerts <alerts.{MESSAGE_DOMAIN}>"


@dataclass
class AlertReport:
    checked: int = 0
    queued: int = 0
    unconfirmed_deleted: int = 0


@dataclass
class AlertItem:
    initiative: Initiative
    is_new: bool


def send_alerts(now: datetime | None = None) -> AlertReport:
    """Delete the subscriptions never confirmed, then queue the alerts due at ``now``."""
    now = now or timezone.now()
    report = AlertReport()
    report.unconfirmed_deleted = (
        Subscription.objects.unconfirmed()
        .created_before(now - tokens.CONFIRM_WITHIN)
        .delete_with_emails()
    )
    if report.unconfirmed_deleted:
        logger.info("deleted %s unconfirmed alert subscriptions", report.unconfirmed_deleted)
    due = Subscription.objects.due(now, DUE_SLACK).order_by("pk").values_list("pk", flat=True)
    for pk in due:
        outcome = _treat(pk, now)
        if outcome is not None:
            report.checked += 1
            report.queued += outcome
    return report


def _treat(pk: int, now: datetime) -> bool | None:
    """Queue the alert of one subscription if anything is new for it. Returns whether one was
    queued, or None when another run holds or has just treated the subscription."""
    try:
        with transaction.atomic():
            subscription = (
                Subscription.objects.due(now, DUE_SLACK)
                .select_for_update(skip_locked=True)
                .filter(pk=pk)
                .first()
            )
            if subscription is None:
                return None
            items = _changes(subscription)
            if items:
                email = _queue(subscription, items)
                subscription.last_alert_at = now
                logger.info(
                    "alert e-mail %s queued for subscription %s: %s initiatives",
                    email.pk,
                    subscription.reference,
                    len(items),
                )
            # A run that started earlier never moves the coverage back.
            subscription.covered_until = max(subscription.covered_until, now)
            subscription.save(update_fields=["covered_until", "last_alert_at"])
            return bool(items)
    except IntegrityError:
        # The database's guarantee of "once": another run named these changes first.
        logger.warning("alert for subscription %s not queued: already named", pk)
        return None


def _changes(subscription: Subscription) -> list[AlertItem]:
    """The published initiatives of the subscription's search changed since it was covered
    and not yet named to it, in catalogue order."""
    since = subscription.covered_until - LATE_COMMITS
    language = subscription.language
    # The search reads the active language (its words, the translations it matches).
    with translation.override(language):
        filterset = InitiativeFilter(subscription.search_params)
        if filterset.errors:
            # Ignoring a filter no longer understood (a renamed organization) would widen the
            # search to initiatives the subscriber never asked for.
            logger.warning(
                "subscription %s follows a search no longer valid: %s",
                subscription.reference,
                ", ".join(filterset.errors),
            )
            return []
        matches = filterset.qs
        if filterset.searching:
            # The list goes on with initiatives matching only some of the words when few match
            # them all; an alert names only what answers the whole search.
            matches = matches.filter(complete=True)
        matches = matches.order_by().values("pk")
        changed = subscription.not_yet_alerted(
            Initiative.objects.published().filter(pk__in=matches).changed_after(since)
        )
        changed = changed.select_related("sub_working_group", "lead_organization")
        if language in dict(Initiative.TRANSLATION_LANGUAGES):
            changed = changed.with_reviewed_translations(language)
        initiatives = list(changed.in_catalogue_order())
    named_before = set(
        AlertedChange.objects.filter(
            subscription=subscription, initiative__in=initiatives
        ).values_list("initiative_id", flat=True)
    )
    return [
        AlertItem(
            initiative,
            is_new=bool(initiative.published_at and initiative.published_at > since)
            and initiative.pk not in named_before,
        )
        for initiative in initiatives
    ]


def _queue(subscription: Subscription, items: list[AlertItem]) -> OutboundEmail:
    email = build_alert(subscription, items)
    email.save()
    SubscriptionEmail.objects.create(subscription=subscription, email=email)
    AlertedChange.objects.bulk_create(
        AlertedChange(
            subscription=subscription,
            initiative=item.initiative,
            changed_at=item.initiative.changed_at,
            email=email,
        )
        for item in items
    )
    return email


def build_alert(subscription: Subscription, items: list[AlertItem]) -> OutboundEmail:
    """The alert e-mail (not saved), in the subscriber's language, its links on ``SITE_URL``."""
    site_root = settings.SITE_URL
    with translation.override(subscription.language):
        described = describe_search(subscription.search)
        unsubscribe_url = site_root + reverse(
            "alerts:unsubscribe", kwargs={"token": tokens.make(subscription, tokens.UNSUBSCRIBE)}
        )
        context = {
            "items": items,
            "search": described,
            "site_root": site_root,
            "list_url": site_root + search_url(subscription.search),
            "manage_url": site_root
            + reverse("alerts:manage", kwargs={"token": tokens.make(subscription, tokens.MANAGE)}),
            "unsubscribe_url": unsubscribe_url,
        }
        subject = alert_subject(
            subscription.search_params.get("q", ""), "" if described.everything else str(described)
        )
        body_text = render_to_string("emails/alert.txt", context)
        body_html = render_to_string("emails/alert.html", context)
    return OutboundEmail(
        kind=OutboundEmail.Kind.ALERT,
        to=[subscription.email],
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        # RFC 2369 and RFC 8058 (one-click unsubscribe), RFC 3834 (no auto-replies).
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": LIST_ID,
            "Auto-Submitted": "auto-generated",
        },
        message_id=f"<alert-{subscription.reference}-{uuid.uuid4().hex}@{MESSAGE_DOMAIN}>",
    )


def alert_subject(query: str, filters: str) -> str:
    """The subject, in the active language: the search typed, else its filters in words, in
    quotes; on one line whatever they hold."""
    named = _one_line(query) or _one_line(filters)
    if named:
        subject = gettext("New and updated initiatives for your search: “%(search)s”") % {
            "search": Truncator(named).chars(SEARCH_IN_SUBJECT_MAX)
        }
    else:
        subject = gettext("New and updated initiatives in the catalogue")
    return Truncator(_one_line(subject)).chars(SUBJECT_MAX)


def _one_line(text: str) -> str:
    """Line breaks and other control characters as spaces (a header must not carry them), runs
    of spaces as one; no-break spaces (French punctuation) are kept."""
    text = "".join(
        " " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in text
    )
    return re.sub(" {2,}", " ", text).strip()
