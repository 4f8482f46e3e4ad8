"""The catalogue's filters, shared by the HTML list, the CSV download and the JSON API.

Values inside one facet combine with OR (group=1.1&group=1.2), facets combine with AND. ``q``
is the full-text search; ``sort`` is relevance (the default when searching), code or title.
"""

from dataclasses import dataclass

import django_filters
from django.db.models import Exists, OuterRef, Q

from . import derived
from .models import Initiative, Organization, Region, Status, SubWorkingGroup, WorkingGroup
from .search import engine

NOT_ATTRIBUTED = "none"
SORTS = {"relevance": "Relevance", "code": "Code", "title": "Title"}
FACETS = ("group", "working_group", "organization", "status", "region")


@dataclass
class FilterChoices:
    """The options of every facet, read again only when the catalogue changed (shared between
    requests, so never modified)."""

    groups: list[SubWorkingGroup]
    working_groups: list[WorkingGroup]
    organizations: list[Organization]
    # Status and region become facets once any published initiative carries them.
    carries_status: bool = False
    carries_regions: bool = False
    version: str | None = None  # the catalogue version they were read at (None: unknown)

    @classmethod
    def load(cls) -> "FilterChoices":
        version = derived.catalogue_version()
        return derived.kept("filter choices", version, lambda: cls.read(version))

    @classmethod
    def read(cls, version: str | None = None) -> "FilterChoices":
        groups = list(SubWorkingGroup.objects.select_related("working_group"))
        working_groups = list(dict.fromkeys(group.working_group for group in groups))
        carried = Initiative.objects.carried_facets()
        return cls(
            groups,
            working_groups,
            list(Organization.objects.order_by("acronym")),
            carried["status"],
            carried["regions"],
            version,
        )

    def attach(self, initiatives) -> None:
        """Give each initiative its group (with its working group) and lead organization from
        these options, as a join would. One not among them (added since they were read) is
        left to load on access."""
        groups = {group.pk: group for group in self.groups}
        organizations = {organization.pk: organization for organization in self.organizations}
        group_field = Initiative._meta.get_field("sub_working_group")
        lead_field = Initiative._meta.get_field("lead_organization")
        for initiative in initiatives:
            group = groups.get(initiative.sub_working_group_id)
            if group is not None:
                group_field.set_cached_value(initiative, group)
            lead_id = initiative.lead_organization_id
            if lead_id is None or lead_id in organizations:
                lead_field.set_cached_value(initiative, organizations.get(lead_id))

    def organization_pairs(self) -> list[tuple[str, str]]:
        return [(org.acronym, org.name) for org in self.organizations]


class InitiativeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        max_length=200,
        label="Search",
        help_text='Words, "quoted phrases", "or" between alternatives, -word to exclude.',
    )
    # Groups and organizations are filtered by id (from ``choices``), not by joining their
    # tables for the code or acronym: a filtered list's totals and facet counts then read
    # only the narrow index initiative_published_facets. distinct=False: an initiative has one
    # group, so these cannot duplicate rows (and SELECT DISTINCT over every column is costly).
    group = django_filters.MultipleChoiceFilter(
        field_name="sub_working_group__code",  # what the values are (for the API's schema)
        method="filter_group",
        distinct=False,
        label="Sub-working group",
        help_text="Sub-working group code, e.g. 1.1; repeat for several.",
    )
    working_group = django_filters.MultipleChoiceFilter(
        field_name="sub_working_group__working_group__number",
        method="filter_working_group",
        distinct=False,
        label="Working group",
        help_text="Working group number (1, 2 or 3); repeat for several.",
    )
    organization = django_filters.MultipleChoiceFilter(
        method="filter_organization",
        # Completed per request from the database (see __init__); text values.
        choices=[(NOT_ATTRIBUTED, "Not attributed")],
        label="Implementing organization",
        help_text=f"Organization acronym (lead or partner), or '{NOT_ATTRIBUTED}' for "
        "initiatives without a lead organization; repeat for several.",
    )
    status = django_filters.MultipleChoiceFilter(
        field_name="status",
        choices=Status.choices,
        distinct=False,
        label="Status",
        help_text="proposed, active or completed; repeat for several.",
    )
    region = django_filters.MultipleChoiceFilter(
        method="filter_region",
        choices=Region.choices,
        label="Region",
        help_text="A region code (e.g. africa, americas); repeat for several.",
    )
    sort = django_filters.ChoiceFilter(
        method="filter_nothing",
        choices=list(SORTS.items()),
        label="Sort by",
        help_text="relevance (default when searching), code (default otherwise) or title.",
    )

    class Meta:
        model = Initiative
        fields = ["q", "group", "working_group", "organization", "status", "region", "sort"]

    def __init__(self, data=None, queryset=None, *, choices: FilterChoices | None = None, **kw):
        self.choices = choices or FilterChoices.load()
        self.search_outcome: engine.SearchOutcome | None = None
        super().__init__(data, queryset if queryset is not None else _base(), **kw)
        self._set_choices(
            "group", [(group.code, f"{group.code} {group.name}") for group in self.choices.groups]
        )
        self._set_choices(
            "working_group",
            [
                (str(group.number), f"Working Group {group.number}")
                for group in self.choices.working_groups
            ],
        )
        self._set_choices(
            "organization",
            [
                *((org.acronym, org.acronym) for org in self.choices.organizations),
                (NOT_ATTRIBUTED, "Not attributed"),
            ],
        )

    def _set_choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        """This request's options. A form field built earlier (a deep copy of the class's
        filter can carry one) would keep the old options, so it is dropped."""
        target = self.filters[name]
        target.extra["choices"] = choices
        target.__dict__.pop("_field", None)

    # --- filters ---------------------------------------------------------------------------

    def filter_search(self, queryset, name, value):
        if not value or not value.strip():
            return queryset
        self.search_outcome = engine.search(
            queryset, value, self.choices.organization_pairs(), self.choices.version
        )
        return self.search_outcome.queryset

    def filter_group(self, queryset, name, values: list[str]):
        if not values:
            return queryset
        ids = [group.pk for group in self.choices.groups if group.code in values]
        return queryset.filter(sub_working_group_id__in=ids)

    def filter_working_group(self, queryset, name, values: list[str]):
        if not values:
            return queryset
        ids = [
            group.pk for group in self.choices.groups if str(group.working_group.number) in values
        ]
        return queryset.filter(sub_working_group_id__in=ids)

    def filter_organization(self, queryset, name, values: list[str]):
        if not values:
            return queryset
        ids = [org.pk for org in self.choices.organizations if org.acronym in values]
        condition = Q()
        if ids:
            partner = Initiative.partner_organizations.through.objects.filter(
                initiative=OuterRef("pk"), organization_id__in=ids
            )
            condition |= Q(lead_organization_id__in=ids) | Q(Exists(partner))
        if NOT_ATTRIBUTED in values:
            condition |= Q(lead_organization__isnull=True)
        return queryset.filter(condition)

    def filter_region(self, queryset, name, values: list[str]):
        return queryset.filter(regions__overlap=list(values)) if values else queryset

    def filter_nothing(self, queryset, name, value):
        return queryset  # sorting is applied last, in filter_queryset

    def without_search(self):
        """The initiatives every filter but ``q`` gives, unsorted (the form already validated:
        no second filter set to build)."""
        self.errors  # noqa: B018  (validates the form, as ``qs`` does)
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name != "q":
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    # --- sorting ---------------------------------------------------------------------------

    @property
    def searching(self) -> bool:
        return self.search_outcome is not None

    @property
    def sort_order(self) -> str:
        chosen = getattr(self.form, "cleaned_data", {}).get("sort") if self.is_bound else None
        if chosen == "relevance" and not self.searching:
            chosen = None
        return chosen or ("relevance" if self.searching else "code")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.sort_order == "relevance":
            return self.search_outcome.by_relevance(queryset)
        if self.sort_order == "title":
            return queryset.order_by("title", "code")
        return queryset.order_by("sub_working_group__code", "code")


def _base():
    return Initiative.objects.published()
