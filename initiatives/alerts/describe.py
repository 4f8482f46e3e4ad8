"""A followed search in words: what the list page names as its selected filters."""

from django.http import QueryDict

from ..facets import facet_options
from ..filters import InitiativeFilter
from ..listing import _selected_filters


def describe_search(params: QueryDict) -> list[str]:
    """The search and each selected filter, in the active language ("Search: naloxone",
    "1.1 Early warning…"); empty for the whole catalogue."""
    filterset = InitiativeFilter(params)
    return [selected.label for selected in _selected_filters(filterset, facet_options(filterset))]
