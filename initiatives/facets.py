"""How many initiatives each filter option would give, with the other filters applied.

Each facet is counted on the current results with every filter but its own (so the counts
answer "what if I also tick this?"). The facets with nothing selected share one grouped count
(by sub-working group, lead organization and status: a few hundred rows at most, whatever the
catalogue's size); a facet with a selection has its own.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.utils.text import slugify
from django.utils.translation import gettext

from .filters import FACETS, NOT_ATTRIBUTED, NOT_ATTRIBUTED_LABEL, InitiativeFilter
from .models import Initiative, Region, Status

GROUPED_BY = ("sub_working_group_id", "lead_organization_id", "status")


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


class _Counts:
    """The initiatives every filter but one facet's gives, counted by ``GROUPED_BY``; the
    same counts serve every facet that has nothing selected."""

    def __init__(self, filterset: InitiativeFilter, selected: dict[str, set], matches):
        self.filterset, self.selected, self.held, self.sets = filterset, selected, {}, {}
        if matches is not None:
            self.sets[""] = Initiative.objects.filter(pk__in=[row[0] for row in matches])
            self.held[""] = [(*row[1:], 1) for row in matches]

    def initiatives(self, facet: str):
        key = facet if self.selected[facet] else ""
        if key not in self.sets:
            self.sets[key] = self.filterset.without(key)
        return self.sets[key]

    def by(self, facet: str, field: str) -> Counter:
        key = facet if self.selected[facet] else ""
        if key not in self.held:
            rows = self.initiatives(facet).values_list(*GROUPED_BY).annotate(n=Count("pk"))
            self.held[key] = list(rows)
        at = GROUPED_BY.index(field)
        counts = Counter()
        for row in self.held[key]:
            counts[row[at]] += row[-1]
        return counts


def facet_options(filterset: InitiativeFilter, matches=None) -> dict[str, list[FacetOption]]:
    """``matches``: the current results' ids and ``GROUPED_BY`` fields, when already read (a
    search's)."""
    choices = filterset.choices
    selected = {facet: set(filterset.cleaned(facet) or []) for facet in FACETS}
    counts = _Counts(filterset, selected, matches)
    by_group = counts.by("group", "sub_working_group_id")
    numbers = {group.pk: group.working_group.number for group in choices.groups}
    by_working_group = Counter()
    for group, n in counts.by("working_group", "sub_working_group_id").items():
        by_working_group[numbers.get(group)] += n
    lead = counts.by("organization", "lead_organization_id")
    partners = Counter(
        dict(
            Initiative.partner_organizations.through.objects.filter(
                initiative__in=counts.initiatives("organization").values("pk")
            )
            .values_list("organization_id")
            .annotate(n=Count("initiative", distinct=True))
        )
    )
    options = {
        "group": [
            FacetOption(
                g.code, f"{g.code} {g.local_name}", by_group[g.pk], g.code in selected["group"]
            )
            for g in choices.groups
        ],
        "working_group": [
            FacetOption(
                str(wg.number),
                f"{wg.number}. {wg.local_name}",
                by_working_group[wg.number],
                str(wg.number) in selected["working_group"],
            )
            for wg in choices.working_groups
        ],
        "organization": [
            *(
                FacetOption(
                    org.acronym,
                    org.local_acronym,
                    lead[org.pk] + partners[org.pk],
                    org.acronym in selected["organization"],
                    title=org.local_name,
                )
                for org in choices.organizations
            ),
            FacetOption(
                NOT_ATTRIBUTED,
                str(NOT_ATTRIBUTED_LABEL),
                lead[None],
                NOT_ATTRIBUTED in selected["organization"],
                title=gettext("No lead organization named in the source"),
            ),
        ],
    }
    if choices.carries_status:
        by_status = counts.by("status", "status")
        options["status"] = [
            FacetOption(value, str(label), by_status[value], value in selected["status"])
            for value, label in Status.choices
        ]
    if choices.carries_regions:
        regions = counts.initiatives("region").values_list("regions", flat=True)
        by_region = Counter(region for row in regions for region in row)
        options["region"] = [
            FacetOption(value, str(label), by_region[value], value in selected["region"])
            for value, label in Region.choices
        ]
    return options
