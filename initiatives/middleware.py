from django.conf import settings


class StaffSessionExpiryMiddleware:
    """Staff sessions end after STAFF_SESSION_IDLE_SECONDS without a request (a sliding
    window); visitors' sessions (their shortlist) keep Django's default lifetime."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            request.session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
        return self.get_response(request)
