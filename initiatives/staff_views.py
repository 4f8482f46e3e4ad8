from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import TemplateView

from . import quality


class DataQualityView(PermissionRequiredMixin, TemplateView):
    """The staff dashboard: what is missing in the catalogue, and where the demand is."""

    template_name = "admin/data_quality.html"
    permission_required = "initiatives.view_initiative"
    raise_exception = True

    def get_context_data(self, **kwargs):
        from django.contrib import admin

        bars = quality.registrations_per_month()
        followed, followed_totals = quality.followed_searches()
        return {
            **super().get_context_data(**kwargs),
            **admin.site.each_context(self.request),
            "title": "Data quality",
            "figures": quality.catalogue_figures(),
            "by_initiative": quality.registrations_by("initiative"),
            "by_organization": quality.registrations_by("organization"),
            "by_country": quality.registrations_by("country"),
            "months": bars,
            "months_total": sum(bar.count for bar in bars),
            "followed_searches": followed,
            "followed_totals": followed_totals,
        }
