import sys

from django.http import HttpResponseForbidden
from django.template.loader import render_to_string
from django.views import defaults

from catalogue.middleware import database_unavailable, unavailable_response


def csrf_failure(request, reason=""):
    """The CSRF failure page: plain words, no reason or token details shown."""
    return HttpResponseForbidden(render_to_string("403_csrf.html", request=request))


def server_error(request):
    """The 500 page, except for a database outage met outside a view (DatabaseUnavailable-
    Middleware only sees views' exceptions): loading the session for ``request.user`` in a
    middleware, or saving it after the view. That is the same plain 503 as in a view."""
    if database_unavailable(sys.exc_info()[1]):
        return unavailable_response()
    return defaults.server_error(request)
