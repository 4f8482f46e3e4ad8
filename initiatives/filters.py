"""The catalogue's filters, shared by the HTML list, the CSV download and the JSON API.

Values inside one facet combine with OR (group=1.1&group=1.2), facets combine with AND. ``q``
is the full-text search; ``sort`` is relevance (the default when searching), code, title or
newest (latest published first).
"""

from dataclasses import dataclass
from functools import cached_property

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import derived
from .models import Initiative, Organization, Region, Status, SubWorkingGroup, WorkingGroup
from .querysets import CATALOGUE_ORDER, NEWEST_ORDER
from .search.engine import SearchContext
from .search.query import ParsedQuery

NOT_ATTRIBUTED = "none"
SORTS = {
    "relevance": pgettext_lazy("sort order", "Relevance"),
    "code": pgettext_lazy("sort order", "Code"),
    "title": pgettext_lazy("sort order", "Title"),
    "newest": pgettext_lazy("sort order", "Newest first"),
}
NOT_ATTRIBUTED_LABEL = _("Not attributed")
FACETS = ("group", "working_group", "organization", "status", "region")
# Every parameter the list reads (the page cache keys pages by these and no others).
PARAMETERS = ("q", *FACETS, "sort")


@dataclass
class FilterChoices:
    """The options of every facet, read again only when the catalogue changed."""

    groups: list[SubWorkingGroup]
    working_groups: list[WorkingGroup]
    organizations: list[Organization]
    # Status and region become facets once any published initiative carries them.
    carries_status: bool = False
    carries_regions: bool = False

    @classmethod
    def load(cls, version: str | None = None) -> "FilterChoices":
        return derived.kept("filter-choices", cls.read, version)

    @classmethod
    def read(cls) -> "FilterChoices":
        groups = list(SubWorkingGroup.objects.select_related("working_group"))
        published = Initiative.objects.published()
        return cls(
            groups,
            list(dict.fromkeys(group.working_group for group in groups)),
            list(Organization.objects.order_by("acronym")),
            published.exclude(status="").exists(),
            published.exclude(regions=[]).exists(),
        )


class SortFilter(django_filters.OrderingFilter):
    """One of ``SORTS``: relevance when searching (and by default then), else the catalogue's
    order (code within sub-working group), title, or newest (latest published first, the
    founding list after them)."""

    ORDERINGS = {"code": CATALOGUE_ORDER, "title": ("title", "code"), "newest": NEWEST_ORDER}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.extra["choices"] = list(SORTS.items())

    def filter(self, qs, value):
        chosen = self.parent.sort_order  # ``value``, or the default for this request
        return qs.ranked() if chosen == "relevance" else qs.order_by(*self.ORDERINGS[chosen])


class InitiativeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        max_length=200,
        label=_("Search"),
        help_text='Words, "quoted phrases", "or" between alternatives, -word to exclude.',
    )
    group = django_filters.MultipleChoiceFilter(
        field_name="sub_working_group__code",
        distinct=False,
        label=_("Sub-working group"),
        help_text="Sub-working group code, e.g. 1.1; repeat for several.",
    )
    working_group = django_filters.MultipleChoiceFilter(
        field_name="sub_working_group__working_group__number",
        distinct=False,
        label=_("Working group"),
        help_text="Working group number (1, 2 or 3); repeat for several.",
    )
    organization = django_filters.MultipleChoiceFilter(
        method="filter_organization",
        choices=[(NOT_ATTRIBUTED, NOT_ATTRIBUTED_LABEL)],  # and every acronym (see __init__)
        label=_("Implementing organization"),
        help_text=f"Organization acronym (lead or partner), or '{NOT_ATTRIBUTED}' for "
        "initiatives without a lead organization; repeat for several.",
    )
    status = django_filters.MultipleChoiceFilter(
        field_name="status",
        choices=Status.choices,
        distinct=False,
        label=_("Status"),
        help_text="proposed, active or completed; repeat for several.",
    )
    region = django_filters.MultipleChoiceFilter(
        method="filter_region",
        choices=Region.choices,
        label=_("Region"),
        help_text="A region code (e.g. africa, americas); repeat for several.",
    )
    sort = SortFilter(
        label=_("Sort by"),
        help_text="relevance (default when searching), code (default otherwise), title, or "
        "newest (latest published first).",
    )

    class Meta:
        model = Initiative
        fields = list(PARAMETERS)

    def __init__(self, data=None, queryset=None, *, version: str | None = None, **kwargs):
        self.version = version or derived.catalogue_version()
        self.choices = FilterChoices.load(self.version)
        if queryset is None:
            queryset = Initiative.objects.published()
        super().__init__(data, queryset, **kwargs)
        # This catalogue's options (django-filter's way for choices known only per request).
        self._set_choices("group", [(g.code, f"{g.code} {g.name}") for g in self.choices.groups])
        self._set_choices(
            "working_group",
            [
                (str(wg.number), _("Working Group %(number)s") % {"number": wg.number})
                for wg in self.choices.working_groups
            ],
        )
        self._set_choices(
            "organization",
            [
                *((org.acronym, org.acronym) for org in self.choices.organizations),
                (NOT_ATTRIBUTED, NOT_ATTRIBUTED_LABEL),
            ],
        )

    def _set_choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        """A form field built earlier (the class's filter, once the API schema was built, and
        so each copy of it) would keep the old options: it is dropped, to be built anew."""
        target = self.filters[name]
        target.extra["choices"] = choices
        target.__dict__.pop("_field", None)

    def cleaned(self, name: str):
        """A parameter's valid value (None when absent or not valid: it is then ignored)."""
        self.errors  # noqa: B018  (validates the form once)
        return getattr(self.form, "cleaned_data", {}).get(name)

    @property
    def search_text(self) -> str:
        return (self.cleaned("q") or "").strip()

    @property
    def searching(self) -> bool:
        return bool(self.search_text)

    @cached_property
    def search_context(self) -> SearchContext:
        return Initiative.objects.search_context(self.version)

    @cached_property
    def search_query(self) -> ParsedQuery | None:
        """The parsed ``q`` (None when not searching)."""
        return (
            self.search_context.parse(self.search_text, get_language()) if self.searching else None
        )

    @property
    def sort_order(self) -> str:
        chosen = self.cleaned("sort")
        chosen = chosen[0] if chosen else None
        if chosen == "relevance" and not self.searching:
            chosen = None
        return chosen or ("relevance" if self.searching else "code")

    # --- filters ---------------------------------------------------------------------------

    def filter_search(self, queryset, name, value):
        return queryset.search(self.search_query) if self.searching else queryset

    def filter_organization(self, queryset, name, values: list[str]):
        if not values:
            return queryset
        partner = Initiative.partner_organizations.through.objects.filter(
            initiative=OuterRef("pk"), organization__acronym__in=values
        )
        condition = Q(lead_organization__acronym__in=values) | Q(Exists(partner))
        if NOT_ATTRIBUTED in values:
            condition |= Q(lead_organization__isnull=True)
        return queryset.filter(condition)

    def filter_region(self, queryset, name, values: list[str]):
        return queryset.filter(regions__overlap=list(values)) if values else queryset

    def filter_queryset(self, queryset):
        """Searches rank and count a bounded set of matches (``InitiativeQuerySet.bounded``)."""
        queryset = super().filter_queryset(queryset)
        if "sort" not in self.form.cleaned_data:  # a sort not understood is ignored, not the order
            queryset = self.filters["sort"].filter(queryset, None)
        return queryset.bounded() if self.searching else queryset

    def without(self, facet: str):
        """The initiatives every filter but ``facet``'s gives, unordered: what that facet's
        options are counted on (``facet`` empty: the results themselves)."""
        if not facet:
            return self.qs.order_by()
        queryset = self.queryset
        self.errors  # noqa: B018  (validates the form once)
        for name, value in self.form.cleaned_data.items():
            if name not in (facet, "sort"):
                queryset = self.filters[name].filter(queryset, value)
        return (queryset.bounded() if self.searching else queryset).order_by()
