"""How many initiatives each filter option would give, with the other filters applied.

Each facet is counted on the current results with every filter but its own (so the counts
answer "what if I also tick this?"), in a fixed number of queries whatever the catalogue size.
"""

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.db.models import Count
from django.utils.text import slugify

from .filters import FACETS, NOT_ATTRIBUTED, InitiativeFilter
from .models import Initiative, Organization, Region, Status
from .search import sampling


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    title: str = ""  # a longer name, for organizations
    estimated: bool = False  # scaled from a sample of a very large result (search.sampling)

    @property
    def slug(self) -> str:
        """For the checkbox's id."""
        return _slug(self.value)

    @property
    def count_label(self) -> str:
        if not self.estimated:
            return str(self.count)
        return f"about {self.count:,}" if self.count else "few"


@lru_cache(maxsize=1024)
def _slug(value: str) -> str:
    return slugify(value)


def _without(data, facet: str):
    remaining = data.copy()
    for key in (facet, "sort", "page", "q"):
        remaining.pop(key, None)
    return remaining


def row_fields(choices) -> tuple[str, ...]:
    """What each search result row carries for the facets: foreign keys only (their codes and
    acronyms are in ``choices``, so no join and little to convert per row), and status and
    regions only once some initiative carries them."""
    fields = ("pk", "sub_working_group_id", "lead_organization_id")
    if choices.carries_status:
        fields += ("status",)
    if choices.carries_regions:
        fields += ("regions",)
    return fields


def _partner_counts(initiative_ids: list[int]) -> dict[str, int]:
    """Partners of the given initiatives, counted in one hash join.

    The ids travel as one comma-separated string: adapting a list of thousands of integers
    one by one cost more than the query, and ``= ANY(array)`` made one index probe per id.
    """
    through = Initiative.partner_organizations.through
    sql = (
        "SELECT o.acronym, count(DISTINCT p.initiative_id) "
        "FROM unnest(string_to_array(%s, ',')::bigint[]) AS m(id) "
        f"JOIN {through._meta.db_table} p ON p.initiative_id = m.id "
        f"JOIN {Organization._meta.db_table} o ON o.id = p.organization_id GROUP BY o.acronym"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [",".join(map(str, initiative_ids))])
        return dict(cursor.fetchall())


def facet_options(
    filterset: InitiativeFilter, rows=None, sample=None
) -> dict[str, list[FacetOption]]:
    """Counts per option. ``rows`` (``row_fields`` of every current result), when given, answers
    every facet that has nothing selected without another query over the catalogue. With a
    ``sample`` (``search.sampling``), ``rows`` are only its first matches and those counts are
    scaled up and marked as estimates."""
    options = _facet_options(filterset, rows)
    if sample is not None:
        selected = getattr(filterset.form, "cleaned_data", {})
        for facet, facet_options_ in options.items():
            if selected.get(facet):
                continue  # counted exactly, over every match
            for option in facet_options_:
                option.count = sample.scaled(option.count)
                option.estimated = True
    return options


def _facet_options(filterset: InitiativeFilter, rows=None) -> dict[str, list[FacetOption]]:
    data = filterset.data
    searched = (
        filterset.search_outcome.queryset
        if filterset.search_outcome is not None
        else filterset.queryset
    )
    choices = filterset.choices
    selected = {
        facet: set(getattr(filterset.form, "cleaned_data", {}).get(facet) or []) for facet in FACETS
    }

    def others(facet: str):
        return InitiativeFilter(
            _without(data, facet), queryset=searched, choices=choices
        ).qs.order_by()

    def from_rows(facet: str) -> bool:
        return rows is not None and not selected[facet]

    def counted(queryset, field: str) -> dict:
        """How many of ``queryset`` have each value of ``field``. A search's matches are read
        through the GIN index's bitmap, not by reading every search vector: a query matching
        a third of 100,000 initiatives took 320 ms in a sequential scan, 50 ms so."""
        counts = queryset.values_list(field).annotate(n=Count("pk"))
        if filterset.search_outcome is None:
            return dict(counts)
        with sampling.bitmap_reads():
            return dict(counts)

    # Counted by id, named from ``choices``: no join, so totals read only the narrow index
    # initiative_published_facets.
    codes = {group.pk: group.code for group in choices.groups}
    numbers = {group.pk: str(group.working_group.number) for group in choices.groups}
    acronyms = {organization.pk: organization.acronym for organization in choices.organizations}
    if rows is not None:
        fields = row_fields(choices)
        by_group = Counter(row[1] for row in rows)
    if from_rows("group"):
        group_counts = _named(by_group, codes)
    else:
        group_counts = _named(counted(others("group"), "sub_working_group_id"), codes)
    if from_rows("working_group"):
        working_group_counts = _named(by_group, numbers)
    else:
        working_group_counts = _named(
            counted(others("working_group"), "sub_working_group_id"), numbers
        )
    if from_rows("organization"):
        lead_counts = _named(Counter(row[2] for row in rows), acronyms)
        partner_counts = _partner_counts([row[0] for row in rows])
    else:
        by_organization = others("organization")
        lead_counts = _named(counted(by_organization, "lead_organization_id"), acronyms)
        partners = (
            Initiative.partner_organizations.through.objects.filter(
                initiative__in=by_organization.values("pk")
            )
            .values_list("organization_id")
            .annotate(n=Count("initiative", distinct=True))
        )
        partner_counts = _named(dict(partners), acronyms)
    options = _options(
        choices, selected, group_counts, working_group_counts, lead_counts, partner_counts
    )
    if choices.carries_status:
        if from_rows("status"):
            status_counts = Counter(row[fields.index("status")] for row in rows)
        else:
            status_counts = counted(others("status"), "status")
        options["status"] = [
            FacetOption(value, label, status_counts.get(value, 0), value in selected["status"])
            for value, label in Status.choices
        ]
    if choices.carries_regions:
        if from_rows("region"):
            at = fields.index("regions")
            region_counts = Counter(region for row in rows for region in row[at])
        else:
            region_counts = Counter(
                region
                for regions in others("region").values_list("regions", flat=True)
                for region in regions
            )
        options["region"] = [
            FacetOption(value, label, region_counts.get(value, 0), value in selected["region"])
            for value, label in Region.choices
        ]
    return options


def _named(counts: dict, names: dict) -> Counter:
    """Counts by id as counts by name. None (no lead organization) stays None; an id not among
    the options (added since they were read) is not listed yet, so not counted either."""
    named = Counter()
    for pk, n in counts.items():
        if pk is None or pk in names:
            named[names.get(pk)] += n
    return named


def _options(choices, selected, group_counts, working_group_counts, lead_counts, partner_counts):
    return {
        "group": [
            FacetOption(
                g.code,
                f"{g.code} {g.name}",
                group_counts.get(g.code, 0),
                g.code in selected["group"],
            )
            for g in choices.groups
        ],
        "working_group": [
            FacetOption(
                str(wg.number),
                f"{wg.number}. {wg.name}",
                working_group_counts.get(str(wg.number), 0),
                str(wg.number) in selected["working_group"],
            )
            for wg in choices.working_groups
        ],
        "organization": [
            *(
                FacetOption(
                    org.acronym,
                    org.acronym,
                    lead_counts.get(org.acronym, 0) + partner_counts.get(org.acronym, 0),
                    org.acronym in selected["organization"],
                    title=org.name,
                )
                for org in choices.organizations
            ),
            FacetOption(
                NOT_ATTRIBUTED,
                "Not attributed",
                lead_counts.get(None, 0),
                NOT_ATTRIBUTED in selected["organization"],
                title="No lead organization named in the source",
            ),
        ],
    }
