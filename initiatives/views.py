import csv
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.generic import DetailView, TemplateView, View

from .codes import normalize_code
from .description import description_blocks
from .feeds import feed_address, feed_title
from .filters import InitiativeFilter
from .link_preview import link_preview
from .listing import build_listing, page_url
from .models import Initiative
from .querysets import SEARCH_LIMIT
from .spreadsheets import spreadsheet_safe


class InitiativeListView(TemplateView):
    """Browse and search: filters, facets with counts, results; every state is a GET URL."""

    template_name = "initiatives/initiative_list.html"

    def get(self, request, *args, **kwargs):
        code = normalize_code(request.GET.get("q", ""))
        if code and Initiative.objects.published().by_code(code).exists():
            return redirect("initiatives:detail", code=code)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        params = self.request.GET
        listing = build_listing(params, page_number=params.get("page"))
        page = listing.page
        return {
            **super().get_context_data(**kwargs),
            "listing": listing,
            "form": listing.filterset.form,
            "previous_url": page_url(params, page.previous_page_number())
            if page.has_previous()
            else None,
            "next_url": page_url(params, page.next_page_number()) if page.has_next() else None,
            "csv_url": "export.csv" + ("?" + params.urlencode() if params else ""),
            "feed_url": feed_address(params),
            "feed_title": feed_title(listing.filterset),
        }


class InitiativeDetailView(DetailView):
    template_name = "initiatives/initiative_detail.html"
    context_object_name = "initiative"

    def get_object(self, queryset=None):
        # Staff preview drafts at the public address (once signed in with their second factor);
        # everyone else sees published ones only.
        user = self.request.user
        visible = (
            Initiative.objects.all()
            if user.has_perm("initiatives.view_initiative") and user.is_verified()
            else Initiative.objects.published()
        )
        initiative = visible.with_organizations().by_code(self.kwargs["code"]).first()
        if initiative is None:
            raise Http404("No published initiative has this code.")
        return initiative

    def get_context_data(self, **kwargs):
        initiative = self.object
        neighbours = Initiative.objects.published().in_same_group_as(initiative)
        translation = initiative.reviewed_translation(get_language())
        return {
            **super().get_context_data(**kwargs),
            "translation": translation,
            "translation_blocks": description_blocks(translation.translated_description)
            if translation
            else [],
            "related": Initiative.objects.published().related_to(initiative),
            "previous_initiative": neighbours.before(initiative),
            "next_initiative": neighbours.after(initiative),
            "is_preview": not initiative.is_published,
            "preview": link_preview(initiative, self.request, translation),
        }


class RegisterInterestView(View):
    """The detail page's call to action: the registration form, with this initiative chosen."""

    def get(self, request, code):
        initiative = Initiative.objects.published().by_code(code).first()
        if initiative is None:
            raise Http404("No published initiative has this code.")
        query = urlencode({"initiative": initiative.code})
        return redirect(f"{reverse('registrations:register')}?{query}")


CSV_COLUMNS = [
    "code",
    "number",
    "working_group",
    "sub_working_group",
    "title",
    "lead_organization",
    "partner_organizations",
    "description",
    "url",
]


class InitiativeCSVView(View):
    """The current filtered list as CSV: same parameters as the HTML list."""

    def get(self, request):
        filterset = InitiativeFilter(request.GET)
        initiatives = filterset.qs.select_related(
            "sub_working_group__working_group", "lead_organization"
        ).prefetch_related("partner_organizations")[:SEARCH_LIMIT]  # what the page lists, at most
        stamp = timezone.now().strftime("%Y-%m-%d")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="initiatives-{stamp}.csv"'
        response.write("\ufeff")  # so spreadsheet programs read UTF-8
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for initiative in initiatives:
            group = initiative.sub_working_group
            lead = initiative.lead_organization
            row = [
                initiative.code,
                initiative.number,
                f"{group.working_group.number}. {group.working_group.name}",
                f"{group.code} {group.name}",
                initiative.title,
                lead.acronym if lead else "",
                "; ".join(org.acronym for org in initiative.partner_organizations.all()),
                initiative.description,
                request.build_absolute_uri(initiative.get_absolute_url()),
            ]
            writer.writerow([spreadsheet_safe(value) for value in row])
        return response
