from django.http import Http404
from django.utils.translation import get_language, gettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from ..codes import TYPED_CODE_PATTERN
from ..filters import InitiativeFilter
from ..models import Initiative
from .schema import InvalidParametersSerializer, NotFoundSerializer
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
            message = gettext("must be a whole number from 1, not %(value)s.")
            raise ValidationError({"page": [message % {"value": repr(raw[:40])}]})
        return raw

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and (not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size):
            message = gettext("must be a whole number from 1 to %(maximum)s.")
            raise ValidationError({"page_size": [message % {"maximum": self.max_page_size}]})
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number from 1, or 'last'; past the last page is a 404.",
                "schema": {
                    "oneOf": [
                        {"type": "integer", "minimum": 1},
                        {"type": "string", "enum": ["last"]},
                    ]
                },
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


def _published():
    return (
        Initiative.objects.published()
        .select_related("sub_working_group__working_group", "lead_organization")
        .prefetch_related("partner_organizations")
        .with_reviewed_translations(get_language())
    )


@extend_schema(
    responses={
        200: InitiativeSerializer(many=True),
        400: OpenApiResponse(InvalidParametersSerializer, "A query parameter is not valid."),
        404: OpenApiResponse(NotFoundSerializer, "The page number is past the last page."),
    }
)
class InitiativeListAPIView(generics.ListAPIView):
    """Published initiatives: the same filters and search as the catalogue's list page.

    With `q`, results are ranked by relevance (unless `sort` says otherwise).
    """

    serializer_class = InitiativeSerializer
    pagination_class = InitiativePagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = InitiativeFilter

    def get_queryset(self):
        return _published()


@extend_schema(
    parameters=[
        OpenApiParameter(
            "code",
            str,
            OpenApiParameter.PATH,
            description="The initiative's code (case-insensitive).",
            pattern=TYPED_CODE_PATTERN,
            examples=[OpenApiExample("A code with a letter", value="2206A")],
        )
    ],
    responses={
        200: InitiativeSerializer,
        404: OpenApiResponse(NotFoundSerializer, "No published initiative has this code."),
    },
)
class InitiativeDetailAPIView(generics.RetrieveAPIView):
    """One published initiative by code (case-insensitive)."""

    serializer_class = InitiativeSerializer

    def get_object(self):
        initiative = _published().by_code(self.kwargs["code"]).first()
        if initiative is None:
            raise Http404(gettext("No published initiative has this code."))
        return initiative
