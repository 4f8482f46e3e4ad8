"""The signed links of alert e-mails. Each names a subscription's reference (a random UUID, not
the address) and what it may do; a confirmation link expires with the unconfirmed subscription."""

from datetime import timedelta

from django.core import signing

from .models import Subscription

CONFIRM = "confirm"
MANAGE = "manage"
UNSUBSCRIBE = "unsubscribe"
# An unconfirmed subscription is deleted after this long (send_alerts purges it).
CONFIRM_WITHIN = timedelta(days=7)
_SALT = "alerts.{}"


def make(subscription: Subscription, purpose: str) -> str:
    return signing.dumps(str(subscription.reference), salt=_SALT.format(purpose), compress=False)


def reference(token: str, purpose: str) -> str | None:
    """The reference a valid token of ``purpose`` names (the subscription may be gone since),
    or None (forged, expired or of another purpose)."""
    max_age = CONFIRM_WITHIN if purpose == CONFIRM else None
    try:
        return signing.loads(token[:500], salt=_SALT.format(purpose), max_age=max_age)
    except signing.BadSignature:
        return None


def read(token: str, purpose: str) -> Subscription | None:
    """The subscription a valid token of ``purpose`` names, or None (forged, expired, of
    another purpose, or no longer there)."""
    named = reference(token, purpose)
    return Subscription.objects.filter(reference=named).first() if named else None
