"""What the OpenAPI schema says beyond what drf-spectacular infers: the error bodies, and the
filters' options as they stand in the catalogue."""

import django_filters
from django.db import DatabaseError
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.plumbing import get_manager, get_view_model
from rest_framework import serializers

from catalogue.page_cache.middleware import do_not_store


class NotFoundSerializer(serializers.Serializer):
    detail = serializers.CharField()


class InvalidParametersSerializer(serializers.Serializer):
    """A 400 names each rejected query parameter, with what is wrong with it."""

    q = serializers.ListField(child=serializers.CharField(), required=False)
    group = serializers.ListField(child=serializers.CharField(), required=False)
    working_group = serializers.ListField(child=serializers.CharField(), required=False)
    organization = serializers.ListField(child=serializers.CharField(), required=False)
    status = serializers.ListField(child=serializers.CharField(), required=False)
    region = serializers.ListField(child=serializers.CharField(), required=False)
    sort = serializers.ListField(child=serializers.CharField(), required=False)
    page = serializers.ListField(child=serializers.CharField(), required=False)
    page_size = serializers.ListField(child=serializers.CharField(), required=False)


class CatalogueFilterExtension(DjangoFilterExtension):
    """The catalogue's FilterSet takes the options of group, working group and organization
    from the database when it is built, and rejects anything else with a 400. The stock
    extension reads the class's filters, which do not have them; this one reads a FilterSet
    built now, so the schema enumerates exactly the values a request may use."""

    target_class = "django_filters.rest_framework.DjangoFilterBackend"
    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        model = get_view_model(auto_schema.view)
        queryset = get_manager(model).none()
        filterset_class = self.target.get_filterset_class(auto_schema.view, queryset)
        try:
            filters = filterset_class(queryset=queryset).filters
        except DatabaseError:
            # No database (or no tables yet), as for `check --deploy` at build time: the options
            # are unknown, and the schema says what the code alone does (the class's filters).
            filters = filterset_class.base_filters
            do_not_store()  # served, but not kept in the page cache as if it were complete
        parameters = []
        for name, filter_field in filters.items():
            for parameter in self.resolve_filter_field(
                auto_schema, model, filterset_class, name, filter_field
            ):
                if isinstance(filter_field, django_filters.CharFilter):
                    _text_limits(parameter["schema"], filter_field)
                _type_the_enum(parameter["schema"].get("items", parameter["schema"]))
                if _empty_means_any(filter_field) and "enum" in parameter["schema"]:
                    parameter["schema"]["enum"].append("")
                parameters.append(parameter)
        return parameters


def _text_limits(schema: dict, filter_field) -> None:
    """What the form field rejects with a 400: more than max_length characters, and NUL
    characters (Django's text fields refuse them)."""
    max_length = filter_field.extra.get("max_length")
    if max_length is not None:
        schema["maxLength"] = max_length
    schema["pattern"] = r"^[^\x00]*$"


def _empty_means_any(filter_field) -> bool:
    """An optional single choice left empty (sort=, as a form submits it) filters nothing."""
    return (
        isinstance(filter_field, django_filters.ChoiceFilter) and not filter_field.extra["required"]
    )


def _type_the_enum(schema: dict) -> None:
    """Form choices are text ("1"); an integer parameter lists them as integers."""
    if schema.get("type") == "integer" and "enum" in schema:
        schema["enum"] = [int(value) for value in schema["enum"]]
