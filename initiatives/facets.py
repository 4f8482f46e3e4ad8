"""How many initiatives each filter option would give, with the other filters applied.

Each facet is counted on the current results with every filter but its own (so the counts
answer "what if I also tick this?"), one grouped count per facet.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.utils.text import slugify

from .filters import FACETS, NOT_ATTRIBUTED, InitiativeFilter
from .models import Initiative, Region, Status


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    title: str = ""  # a longer name, for organizations

    @property
    def slug(self) -> str:
        """For the checkbox's id."""
        return slugify(self.value)


def facet_options(filterset: InitiativeFilter) -> dict[str, list[FacetOption]]:
    choices = filterset.choices
    selected = {facet: set(filterset.cleaned(facet) or []) for facet in FACETS}
    counted = {}

    def count(facet: str, field: str) -> Counter:
        """``field``'s values counted on the initiatives every filter but ``facet``'s gives
        (the same initiatives, counted once, for every facet without a selection)."""
        key = (facet if selected[facet] else None, field)
        if key not in counted:
            rows = filterset.without(key[0] or "").values_list(field).annotate(n=Count("pk"))
            counted[key] = Counter(dict(rows))
        return counted[key]

    by_group = count("group", "sub_working_group_id")
    by_working_group = Counter()
    for group in choices.groups:
        n = count("working_group", "sub_working_group_id").get(group.pk, 0)
        by_working_group[group.working_group.number] += n
    lead = count("organization", "lead_organization_id")
    partners = Counter(
        dict(
            Initiative.partner_organizations.through.objects.filter(
                initiative__in=filterset.without(
                    "organization" if selected["organization"] else ""
                ).values("pk")
            )
            .values_list("organization_id")
            .annotate(n=Count("initiative", distinct=True))
        )
    )
    options = {
        "group": [
            FacetOption(
                g.code, f"{g.code} {g.name}", by_group.get(g.pk, 0), g.code in selected["group"]
            )
            for g in choices.groups
        ],
        "working_group": [
            FacetOption(
                str(wg.number),
                f"{wg.number}. {wg.name}",
                by_working_group.get(wg.number, 0),
                str(wg.number) in selected["working_group"],
            )
            for wg in choices.working_groups
        ],
        "organization": [
            *(
                FacetOption(
                    org.acronym,
                    org.acronym,
                    lead.get(org.pk, 0) + partners.get(org.pk, 0),
                    org.acronym in selected["organization"],
                    title=org.name,
                )
                for org in choices.organizations
            ),
            FacetOption(
                NOT_ATTRIBUTED,
                "Not attributed",
                lead.get(None, 0),
                NOT_ATTRIBUTED in selected["organization"],
                title="No lead organization named in the source",
            ),
        ],
    }
    if choices.carries_status:
        by_status = count("status", "status")
        options["status"] = [
            FacetOption(value, label, by_status.get(value, 0), value in selected["status"])
            for value, label in Status.choices
        ]
    if choices.carries_regions:
        regions = filterset.without("region" if selected["region"] else "")
        by_region = Counter(
            region for row in regions.values_list("regions", flat=True) for region in row
        )
        options["region"] = [
            FacetOption(value, label, by_region.get(value, 0), value in selected["region"])
            for value, label in Region.choices
        ]
    return options
