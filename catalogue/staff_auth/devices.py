"""A staff user's second-factor devices: what they have, and resetting them."""

from django.db import transaction
from django_otp import devices_for_user
from two_factor.utils import default_device


def needs_setup(user) -> bool:
    """True while the user has no authenticator app to sign in with."""
    return default_device(user) is None


def reset_devices(user) -> list[str]:
    """Delete every device of the user (authenticator apps and recovery codes), so that the
    next sign-in leads to set-up again; returns what was removed, for the audit record."""
    removed = []
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            removed.append(f"{type(device).__name__} {device.name!r}")
            device.delete()
    return sorted(removed)
