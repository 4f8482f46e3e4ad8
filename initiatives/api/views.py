from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from ..filters import FilterChoices, InitiativeFilter
from ..models import Initiative
from .serializers import InitiativeSerializer


class InitiativePagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "1")
        if raw == "last":
            return raw
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({"page": f"must be a whole number from 1, not {raw[:40]!r}."})
        return raw

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and (not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size):
            raise ValidationError(
                {"page_size": f"must be a whole number from 1 to {self.max_page_size}."}
            )
        return super().get_page_size(request)


class CatalogueFilterBackend(DjangoFilterBackend):
    """The HTML list's FilterSet, with its choices read once per request."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {
            **super().get_filterset_kwargs(request, queryset, view),
            "choices": FilterChoices.load(),
        }


def _published():
    return (
        Initiative.objects.published()
        .select_related("sub_working_group__working_group", "lead_organization")
        .prefetch_related("partner_organizations")
    )


class InitiativeListAPIView(generics.ListAPIView):
    """Published initiatives: the same filters and search as the catalogue's list page.

    With `q`, results are ranked by relevance (unless `sort` says otherwise).
    """

    serializer_class = InitiativeSerializer
    pagination_class = InitiativePagination
    filter_backends = [CatalogueFilterBackend]
    filterset_class = InitiativeFilter

    def get_queryset(self):
        return _published()


class InitiativeDetailAPIView(generics.RetrieveAPIView):
    """One published initiative by code (case-insensitive)."""

    serializer_class = InitiativeSerializer

    def get_object(self):
        initiative = _published().by_code(self.kwargs["code"]).first()
        if initiative is None:
            raise Http404("No published initiative has this code.")
        return initiative
