"""The alert pages: follow a search, confirm it, manage and stop alerts. Every page but the
first is reached through a signed link from an e-mail; only POSTs change anything (a mail
scanner following the links confirms and cancels nothing)."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from ..registrations import ratelimit
from ..registrations.protection import new_token, too_many_requests
from . import tokens
from .describe import describe_search, search_url
from .forms import FrequencyForm, SubscribeForm
from .models import Frequency, Subscription
from .subscribing import TooManySubscriptions, change_frequency, confirm, subscribe

# Pages reached by a signed link: kept out of search engines (base.html reads it).
PRIVATE = {"private_page": True}


def _invalid_link(request):
    return render(request, "alerts/invalid_link.html", PRIVATE, status=404)


class SubscribeView(View):
    """Follow the search in the address's query string (the list page's parameters)."""

    template_name = "alerts/subscribe.html"

    def _render(self, request, form, status=200):
        search = form.search
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "description": describe_search(search) if search is not None else None,
                "list_url": search_url(search or ""),
                "max_per_address": settings.ALERTS_MAX_PER_ADDRESS,
            },
            status=status,
        )

    def get(self, request):
        form = SubscribeForm(initial={"token": new_token()}, params=request.GET)
        return self._render(request, form, 400 if form.search_errors else 200)

    def post(self, request):
        allowed, retry_after = ratelimit.allow("ip", ratelimit.client_address(request))
        if not allowed:
            return too_many_requests(request, retry_after)
        form = SubscribeForm(request.POST, params=request.GET)
        if not form.is_valid():
            if form.bot_suspected or "token" in form.errors:
                form.renew_token()
            return self._render(request, form, 400)
        data = form.cleaned_data
        allowed, retry_after = ratelimit.allow("email", data["email"])
        if not allowed:
            return too_many_requests(request, retry_after)
        try:
            subscribe(
                email=data["email"],
                search=form.search,
                frequency=data["frequency"],
                language=request.LANGUAGE_CODE,
                site_url=request.build_absolute_uri("/"),
            )
        except TooManySubscriptions:
            form.add_error(
                "email",
                gettext(
                    "This address already follows %(count)s searches, the most one address "
                    "can. Stop the alerts of one of them first (the link is in each alert)."
                )
                % {"count": settings.ALERTS_MAX_PER_ADDRESS},
            )
            form.renew_token()
            return self._render(request, form, 400)
        return HttpResponseRedirect(reverse("alerts:check_email"))


class CheckEmailView(TemplateView):
    template_name = "alerts/check_email.html"


class ConfirmView(View):
    """GET shows what the link confirms; only the POST of its button confirms it."""

    def get(self, request, token):
        subscription = tokens.read(token, tokens.CONFIRM)
        if subscription is None:
            return _invalid_link(request)
        return render(request, "alerts/confirm.html", _context(subscription))

    def post(self, request, token):
        subscription = tokens.read(token, tokens.CONFIRM)
        if subscription is None:
            return _invalid_link(request)
        subscription = confirm(subscription)
        context = _context(subscription)
        context["manage_url"] = reverse(
            "alerts:manage", args=[tokens.make(subscription, tokens.MANAGE)]
        )
        return render(request, "alerts/confirmed.html", context)


class ManageView(View):
    """Every confirmed alert of the address the link was sent to: change how often, stop one
    or all."""

    def get(self, request, token):
        subscription = tokens.read(token, tokens.MANAGE)
        if subscription is None:
            return _invalid_link(request)
        followed = Subscription.objects.confirmed().for_address(subscription.email)
        rows = [
            {
                **_context(each),
                "form": FrequencyForm(
                    initial={"subscription": each.reference, "frequency": each.frequency},
                    auto_id=f"id_%s_{each.reference}",
                ),
            }
            for each in followed.order_by("created_at", "pk")
        ]
        return render(request, "alerts/manage.html", {**PRIVATE, "rows": rows})

    def post(self, request, token):
        subscription = tokens.read(token, tokens.MANAGE)
        if subscription is None:
            return _invalid_link(request)
        followed = Subscription.objects.for_address(subscription.email)
        action = request.POST.get("action")
        if action == "unsubscribe_all":
            followed.delete_with_emails()
            return render(request, "alerts/unsubscribed.html", {**PRIVATE, "everything": True})
        form = FrequencyForm(request.POST)
        form.is_valid()
        named = form.cleaned_data.get("subscription")
        target = followed.filter(reference=named).first() if named else None
        if target is None:
            messages.error(request, gettext("That alert no longer exists."))
        elif action == "unsubscribe":
            description = str(describe_search(target.search))
            followed.filter(pk=target.pk).delete_with_emails()
            messages.success(
                request,
                gettext("You will no longer receive alerts for: %(search)s")
                % {"search": description},
            )
        elif action == "frequency" and form.is_valid():
            change_frequency(target, form.cleaned_data["frequency"])
            messages.success(
                request,
                gettext("Saved: %(frequency)s for %(search)s")
                % {
                    "frequency": Frequency(form.cleaned_data["frequency"]).label,
                    "search": describe_search(target.search),
                },
            )
        else:
            messages.error(request, gettext("Choose how often, then save."))
        # The link's own alert may be gone: the page stays reachable through another one.
        remaining = followed.order_by("created_at", "pk")
        still = remaining.filter(pk=subscription.pk).first() or remaining.first()
        if still is None:
            return render(request, "alerts/unsubscribed.html", {**PRIVATE, "everything": True})
        return HttpResponseRedirect(
            reverse("alerts:manage", args=[tokens.make(still, tokens.MANAGE)])
        )


# Mail clients unsubscribe with a one-click POST (RFC 8058) that carries no CSRF cookie: the
# signed link is the authorization then. Every other POST is checked for CSRF as usual.
@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(View):
    ONE_CLICK = ("List-Unsubscribe", "One-Click")

    def get(self, request, token):
        return self._answer(request, token, done=False)

    def post(self, request, token):
        name, value = self.ONE_CLICK
        if request.POST.get(name) != value:
            refused = CsrfViewMiddleware(lambda request: None).process_view(
                request, _csrf_checked, (), {}
            )
            if refused is not None:
                return refused
        return self._answer(request, token, done=True)

    def _answer(self, request, token, *, done: bool):
        named = tokens.reference(token, tokens.UNSUBSCRIBE)
        if named is None:
            return _invalid_link(request)
        subscription = Subscription.objects.filter(reference=named).first()
        if subscription is None:
            return render(request, "alerts/unsubscribed.html", {**PRIVATE, "already": True})
        if not done:
            return render(request, "alerts/unsubscribe.html", _context(subscription))
        context = _context(subscription)
        Subscription.objects.filter(pk=subscription.pk).delete_with_emails()
        return render(request, "alerts/unsubscribed.html", context)


def _csrf_checked(request):
    """What the CSRF check is asked about: a view that is not exempt."""


def _context(subscription: Subscription) -> dict:
    return {
        **PRIVATE,
        "subscription": subscription,
        "description": describe_search(subscription.search),
        "list_url": search_url(subscription.search),
    }
