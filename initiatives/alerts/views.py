"""The alert pages (being written: each answers 404 until it is)."""

from django.http import Http404
from django.views import View


class _NotYet(View):
    def dispatch(self, request, *args, **kwargs):
        raise Http404("Not available yet.")


class SubscribeView(_NotYet):
    pass


class CheckEmailView(_NotYet):
    pass


class ConfirmView(_NotYet):
    pass


class ManageView(_NotYet):
    pass


class UnsubscribeView(_NotYet):
    pass
