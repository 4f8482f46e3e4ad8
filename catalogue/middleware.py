"""Project-wide middleware: security headers the settings cannot express, and a friendly 503
while the database is unreachable."""

import logging

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


class SecurityHeadersMiddleware:
    """Permissions-Policy everywhere; the admin (staff only) may use inline styles and
    scripts, which Django's own admin templates need; the public site may not."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if request.path.startswith(self.admin_prefix):
            response._csp_update = {
                "style-src": ["'unsafe-inline'"],
                "script-src": ["'unsafe-inline'"],
            }
        return response


class DatabaseUnavailableMiddleware:
    """When PostgreSQL cannot be reached, answer 503 with a plain page (rendered without
    touching the database) instead of a 500; the next request simply tries again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_unavailable(exception):
            logger.error("database unavailable: %s", type(exception).__name__)
            return unavailable_response()
        return None


def database_unavailable(exception) -> bool:
    return isinstance(exception, (OperationalError, InterfaceError)) or (
        isinstance(exception, DatabaseError) and "connection" in str(exception).lower()
    )


def unavailable_response() -> HttpResponse:
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response
