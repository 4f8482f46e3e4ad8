"""How many initiatives each filter option would give, with the other filters applied.

Each facet is counted on the current results with every filter but its own (so the counts
answer "what if I also tick this?"), in a fixed number of queries whatever the catalogue size.
"""

from dataclasses import dataclass

from django.db.models import Count

from .filters import FACETS, NOT_ATTRIBUTED, InitiativeFilter
from .models import Initiative


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    title: str = ""  # a longer name, for organizations


def _without(data, facet: str):
    remaining = data.copy()
    for key in (facet, "sort", "page", "q"):
        remaining.pop(key, None)
    return remaining


def facet_options(filterset: InitiativeFilter) -> dict[str, list[FacetOption]]:
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

    group_counts = dict(
        others("group").values_list("sub_working_group__code").annotate(n=Count("pk"))
    )
    working_group_counts = {
        str(number): n
        for number, n in others("working_group")
        .values_list("sub_working_group__working_group__number")
        .annotate(n=Count("pk"))
    }
    by_organization = others("organization")
    lead_counts = dict(
        by_organization.values_list("lead_organization__acronym").annotate(n=Count("pk"))
    )
    partner_counts = dict(
        Initiative.partner_organizations.through.objects.filter(
            initiative__in=by_organization.values("pk")
        )
        .values_list("organization__acronym")
        .annotate(n=Count("initiative", distinct=True))
    )
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
