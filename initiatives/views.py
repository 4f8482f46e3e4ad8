from django.http import Http404
from django.views.generic import DetailView, ListView

from .models import Initiative


class InitiativeListView(ListView):
    """Every published initiative, grouped by working group and sub-working group."""

    template_name = "initiatives/initiative_list.html"
    context_object_name = "initiatives"

    def get_queryset(self):
        return Initiative.objects.published().with_organizations().in_catalogue_order()


class InitiativeDetailView(DetailView):
    template_name = "initiatives/initiative_detail.html"
    context_object_name = "initiative"

    def get_object(self, queryset=None):
        initiative = (
            Initiative.objects.published().with_organizations().by_code(self.kwargs["code"]).first()
        )
        if initiative is None:
            raise Http404("No published initiative has this code.")
        return initiative
