"""Send queued e-mails: several workers may run at once, and never send the same message at once.

A worker claims the oldest due message with ``SELECT … FOR UPDATE SKIP LOCKED`` and, in that
same short transaction, pushes its ``next_attempt_at`` past the longest a send can take (the
claim): other workers leave it alone until then. It sends it with no transaction open, then
records the outcome: sent, or due again after a back-off. If PostgreSQL is unreachable at that
moment, the worker keeps trying to record it for as long again as a claim lasts, so a message the
SMTP server accepted just before a database restart is not sent again. If the worker dies, the
claim simply expires and another worker sends the message.

So every message is sent at least once; it is sent twice only if the worker dies between the
server's 250 and the recording of it (milliseconds; a server that is slow to answer QUIT does not
widen that window, as the conversation is closed after recording), if PostgreSQL stays
unreachable for longer than the claim, or if one send outlasts the claim (each SMTP step waits at
most EMAIL_TIMEOUT). It then goes out again with the same Message-ID, which lets receivers tell.
"""

import logging
import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import InterfaceError, OperationalError, transaction
from django.db import connection as database
from django.utils import timezone

from .models import OutboundEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 40  # with the back-off below: more than a day of retries
FIRST_RETRY_SECONDS = 30
LONGEST_WAIT_SECONDS = 15 * 60
# A claim lasts this many EMAIL_TIMEOUTs: longer than any one send (each step of the SMTP
# conversation waits at most EMAIL_TIMEOUT).
CLAIM_TIMEOUTS = 10


def claim_duration() -> timedelta:
    return timedelta(seconds=CLAIM_TIMEOUTS * max(1, settings.EMAIL_TIMEOUT or 1))


def backoff(attempts: int) -> timedelta:
    """30 s, 60 s, 2 min, 4 min, 8 min, then every 15 min (EMAIL_RETRY_FIRST_SECONDS sets the
    first wait)."""
    first = getattr(settings, "EMAIL_RETRY_FIRST_SECONDS", FIRST_RETRY_SECONDS)
    return timedelta(seconds=min(first * 2 ** (attempts - 1), LONGEST_WAIT_SECONDS))


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
        headers={**email.headers, "Message-ID": email.message_id},
        connection=connection,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


def _claim() -> OutboundEmail | None:
    """Take the oldest due message for this worker, committed before anything is sent."""
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(status=OutboundEmail.Status.PENDING, next_attempt_at__lte=timezone.now())
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if email is None:
            return None
        if email.attempts >= MAX_ATTEMPTS:
            # Its earlier attempts never recorded an outcome (each crashed the worker, e.g. on a
            # message that cannot be built): give up instead of claiming it forever.
            email.status = OutboundEmail.Status.FAILED
            email.last_error = (
                email.last_error or f"no outcome recorded after {email.attempts} attempts"
            )
            email.save(update_fields=["status", "last_error"])
            logger.error("e-mail %s failed for good after %s attempts", email.pk, email.attempts)
            return email
        email.attempts += 1
        email.next_attempt_at = timezone.now() + claim_duration()
        email.save(update_fields=["attempts", "next_attempt_at"])
    return email


def _record(email: OutboundEmail) -> None:
    """Store the outcome of this worker's attempt. Through a database restart, keep trying for
    as long as the claim lasts: the outcome (above all "sent") exists only in this process."""
    fields = ["status", "sent_at", "last_error", "next_attempt_at"]
    give_up_at = time.monotonic() + claim_duration().total_seconds()
    while True:
        try:
            recorded = OutboundEmail.objects.filter(
                pk=email.pk, status=OutboundEmail.Status.PENDING, attempts=email.attempts
            ).update(**{field: getattr(email, field) for field in fields})
        except (OperationalError, InterfaceError) as error:
            if database.in_atomic_block or time.monotonic() > give_up_at:
                raise
            logger.warning(
                "e-mail %s: outcome (%s) not recorded yet: %s", email.pk, email.status, error
            )
            try:
                database.close()  # reconnect on the next try
            except Exception:  # noqa: BLE001  (the connection is broken anyway)
                pass
            time.sleep(1)
            continue
        if not recorded:
            logger.error("e-mail %s was claimed again before its outcome was recorded", email.pk)
        return


def deliver_one(connection=None) -> str | None:
    """Claim and send the oldest due message. Returns its new status, or None if none is due."""
    email = _claim()
    if email is None or email.status != OutboundEmail.Status.PENDING:
        return None if email is None else email.status
    own_connection = connection is None
    connection = connection or get_connection(fail_silently=False)
    try:
        try:
            # Opened here, so that sending leaves it open: it is closed (QUIT) only once the
            # outcome is recorded.
            connection.open()
            _message(email, connection).send()
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
        _record(email)
    finally:
        if own_connection:
            _hang_up(connection)  # whatever happened above, the SMTP conversation ends
    return email.status


def _hang_up(connection) -> None:
    """Close the SMTP conversation. What was sent is already recorded: a failure here (a server
    that hangs or drops the line on QUIT) changes nothing."""
    try:
        connection.close()
    except Exception as error:  # noqa: BLE001
        logger.warning("closing the e-mail connection failed: %s: %s", type(error).__name__, error)


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
