from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .devices import needs_setup


class SecondFactorRequiredMiddleware:
    """Every staff page (the admin and everything under ADMIN_URL) needs a session verified
    with a second factor. A signed-in user without an authenticator app is sent to set one
    up and can reach nothing else until done; one with a device but an unverified session
    (signed in some other way) is sent to sign in again."""

    # Reachable before the second factor: signing in, setting up a device, signing out.
    OPEN = ("two_factor:login", "two_factor:setup", "two_factor:qr", "admin:logout")

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL

    def __call__(self, request):
        user = request.user
        if (
            request.path.startswith(self.admin_prefix)
            and user.is_authenticated
            and not user.is_verified()
            and request.path not in {reverse(name) for name in self.OPEN}
        ):
            if needs_setup(user):
                return redirect("two_factor:setup")
            login = reverse("two_factor:login")
            return redirect(f"{login}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}")
        return self.get_response(request)
