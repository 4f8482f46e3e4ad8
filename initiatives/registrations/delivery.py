"""Send queued e-mails: several workers may run at once, and none sends a message twice.

Each message is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and stays locked while it is
sent; its new status is committed in the same transaction. Another worker skips it meanwhile,
and if this worker dies the lock is released with the message still pending, so it is sent by
the next worker (the only case where an SMTP server might see it twice: if it had already
accepted the message when the worker died; the stable Message-ID lets receivers tell).
"""

import logging
import smtplib
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from .models import OutboundEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 40  # with the back-off below: more than a day of retries
FIRST_RETRY_SECONDS = 30
LONGEST_WAIT_SECONDS = 15 * 60


def backoff(attempts: int) -> timedelta:
    """30 s, 60 s, 2 min, 4 min, 8 min, then every 15 min."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), LONGEST_WAIT_SECONDS))


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _message(email: OutboundEmail, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        to=email.to,
        cc=email.cc,
        reply_to=email.reply_to,
        headers={"Message-ID": email.message_id},
        connection=connection,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


def deliver_one(connection=None) -> str | None:
    """Claim and send the oldest due message. Returns its new status, or None if none is due."""
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(status=OutboundEmail.Status.PENDING, next_attempt_at__lte=timezone.now())
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if email is None:
            return None
        email.attempts += 1
        try:
            _message(email, connection or get_connection(fail_silently=False)).send()
        except (smtplib.SMTPException, OSError, ValueError) as error:
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            if email.attempts >= MAX_ATTEMPTS:
                email.status = OutboundEmail.Status.FAILED
                logger.error(
                    "e-mail %s failed for good after %s attempts", email.pk, email.attempts
                )
            else:
                email.next_attempt_at = timezone.now() + backoff(email.attempts)
                logger.warning(
                    "e-mail %s not sent (attempt %s), will retry", email.pk, email.attempts
                )
        else:
            email.status = OutboundEmail.Status.SENT
            email.sent_at = timezone.now()
            email.last_error = ""
        email.save(update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"])
        return email.status


def deliver_due(limit: int | None = None) -> DeliveryReport:
    """Send everything due now (or up to ``limit`` messages)."""
    report = DeliveryReport()
    while limit is None or report.sent + report.retried + report.failed < limit:
        status = deliver_one()
        if status is None:
            break
        if status == OutboundEmail.Status.SENT:
            report.sent += 1
        elif status == OutboundEmail.Status.FAILED:
            report.failed += 1
        else:
            report.retried += 1
            # The server is probably down: leave the rest for the next round.
            break
    return report


def queue_again(emails) -> int:
    """Staff's "resend": failed messages go back to the queue; sent ones are queued as copies."""
    count = 0
    for email in emails:
        if email.status == OutboundEmail.Status.PENDING:
            continue
        if email.status == OutboundEmail.Status.FAILED:
            email.status = OutboundEmail.Status.PENDING
            email.attempts = 0
            email.next_attempt_at = timezone.now()
            email.save(update_fields=["status", "attempts", "next_attempt_at"])
        else:
            local, domain = email.message_id.strip("<>").split("@", 1)
            email.pk = None
            email.message_id = f"<{local}-resend-{uuid.uuid4().hex[:12]}@{domain}>"
            email.status = OutboundEmail.Status.PENDING
            email.attempts = 0
            email.sent_at = None
            email.last_error = ""
            email.next_attempt_at = timezone.now()
            email.save(force_insert=True)
        count += 1
    return count
