from django.http import HttpResponseForbidden
from django.template.loader import render_to_string


def csrf_failure(request, reason=""):
    """The CSRF failure page: plain words, no reason or token details shown."""
    return HttpResponseForbidden(render_to_string("403_csrf.html", request=request))
