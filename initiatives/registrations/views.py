from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from ..models import Initiative
from . import ratelimit, shortlist
from .forms import RegistrationForm
from .models import Registration
from .protection import new_token, too_many_requests
from .services import register_interest

SESSION_REGISTRATIONS = "registrations"


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class ShortlistView(View):
    """See the shortlist (GET); add or remove an initiative (POST, then back where you were)."""

    def get(self, request):
        return render(
            request, "registrations/shortlist.html", {"items": shortlist.initiatives(request)}
        )

    def post(self, request):
        fallback = reverse("registrations:shortlist")
        code = (request.POST.get("add") or request.POST.get("remove") or "").strip().upper()
        initiative = Initiative.objects.published().by_code(code).first() if code else None
        if initiative is None:
            messages.error(request, gettext("That initiative does not exist or is not published."))
        elif "add" in request.POST:
            if shortlist.add(request, initiative.code):
                messages.success(
                    request,
                    gettext("Added %(code)s to your shortlist.") % {"code": initiative.code},
                )
            elif initiative.code not in shortlist.codes(request):
                messages.error(
                    request,
                    gettext("Your shortlist is full (%(count)s initiatives).")
                    % {"count": shortlist.MAX_ITEMS},
                )
        else:
            shortlist.remove(request, initiative.code)
            messages.success(
                request,
                gettext("Removed %(code)s from your shortlist.") % {"code": initiative.code},
            )
        return HttpResponseRedirect(_safe_next(request, fallback))


class RegisterView(View):
    template_name = "registrations/register.html"

    def _offered(self, request) -> list[Initiative]:
        """The initiatives the form starts with: those asked for in the URL, else the shortlist."""
        asked = request.GET.getlist("initiative")[:30]
        if asked:
            return list(Initiative.objects.published().by_codes(asked).order_by("code"))
        return shortlist.initiatives(request)

    def _render(self, request, form, offered, status=200):
        chosen = set(form["initiatives"].value() or []) if form.is_bound else None
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "offered": offered,
                "chosen": chosen,
                "retention_months": settings.REGISTRATION_RETENTION_MONTHS,
            },
            status=status,
        )

    def get(self, request):
        offered = self._offered(request)
        form = RegistrationForm(
            initial={"token": new_token(), "initiatives": [i.code for i in offered]},
            offered=offered,
        )
        return self._render(request, form, offered)

    def post(self, request):
        allowed, retry_after = ratelimit.allow("ip", ratelimit.client_address(request))
        if not allowed:
            return too_many_requests(request, retry_after)
        form = RegistrationForm(request.POST)
        codes = request.POST.getlist("initiatives")[:30]
        offered = list(Initiative.objects.published().by_codes(codes).order_by("code"))
        if not form.is_valid():
            if form.bot_suspected or "token" in form.errors:
                # A fresh token, so a person can simply send the form again.
                form.renew_token()
            return self._render(request, form, offered or shortlist.initiatives(request), 400)
        allowed, retry_after = ratelimit.allow("email", form.cleaned_data["email"])
        if not allowed:
            return too_many_requests(request, retry_after)
        registration = register_interest(
            initiatives=list(form.cleaned_data["initiatives"]),
            registrant=form.cleaned_data,
            submission_token=form.cleaned_data["token"],
            site_url=request.build_absolute_uri("/"),
            language=request.LANGUAGE_CODE,
        )
        shortlist.clear(request, [initiative.code for initiative in registration.initiatives.all()])
        request.session[SESSION_REGISTRATIONS] = [
            *request.session.get(SESSION_REGISTRATIONS, [])[-20:],
            str(registration.reference),
        ]
        return HttpResponseRedirect(registration.get_absolute_url())


class PrivacyView(TemplateView):
    """What is kept about registrants and alert subscribers, and for how long."""

    template_name = "registrations/privacy.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "retention_months": settings.REGISTRATION_RETENTION_MONTHS,
        }


class RegistrationDoneView(View):
    """The confirmation, shown only to the browser that sent the registration."""

    def get(self, request, reference):
        if str(reference) not in request.session.get(SESSION_REGISTRATIONS, []):
            raise Http404("No registration of yours has this reference.")
        registration = get_object_or_404(Registration, reference=reference)
        items = registration.items.select_related("initiative").order_by("initiative__code")
        return render(
            request, "registrations/done.html", {"registration": registration, "items": items}
        )
