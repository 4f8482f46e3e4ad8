"""A followed search in words, in the active language, for the pages and e-mails of alerts.

"Search: naloxone · Sub-working group: 3.2 … · Implementing organization: UNODC", with the
labels and option names the list page shows (``InitiativeFilter``'s labels, the groups' and
organizations' names in the page's language); "Every initiative in the catalogue" when the
search has no filter.
"""

from dataclasses import dataclass

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext

from ..filters import NOT_ATTRIBUTED, NOT_ATTRIBUTED_LABEL, FilterChoices, InitiativeFilter
from ..models import Region, Status
from .models import FOLLOWED_PARAMETERS


@dataclass(frozen=True)
class SearchPart:
    """One parameter of a search: its label and the names of its values."""

    name: str
    label: str
    values: tuple[str, ...]

    def __str__(self) -> str:
        return gettext("%(label)s: %(values)s") % {
            "label": self.label,
            "values": ", ".join(self.values),
        }


@dataclass(frozen=True)
class SearchDescription:
    parts: tuple[SearchPart, ...]

    @property
    def everything(self) -> bool:
        return not self.parts

    def __str__(self) -> str:
        if self.everything:
            return gettext("Every initiative in the catalogue")
        return " · ".join(str(part) for part in self.parts)


def _option_names() -> dict[str, dict[str, str]]:
    """Each facet's values and their names in the active language."""
    choices = FilterChoices.load()
    return {
        "group": {g.code: f"{g.code} {g.local_name}" for g in choices.groups},
        "working_group": {
            str(wg.number): f"{wg.number}. {wg.local_name}" for wg in choices.working_groups
        },
        "organization": {
            **{org.acronym: org.local_acronym for org in choices.organizations},
            NOT_ATTRIBUTED: str(NOT_ATTRIBUTED_LABEL),
        },
        "status": {value: str(label) for value, label in Status.choices},
        "region": {value: str(label) for value, label in Region.choices},
    }


def describe_search(search: str) -> SearchDescription:
    """``search``: a subscription's ``search`` (the canonical query string). A value the
    catalogue no longer has is shown as it is stored."""
    params = QueryDict(search)
    names = _option_names()
    parts = []
    for name in FOLLOWED_PARAMETERS:
        values = params.getlist(name)
        if values:
            known = names.get(name, {})
            parts.append(
                SearchPart(
                    name=name,
                    label=str(InitiativeFilter.base_filters[name].label),
                    values=tuple(known.get(value, value) for value in values),
                )
            )
    return SearchDescription(tuple(parts))


def search_url(search: str) -> str:
    """The list page of a followed search, in the active language (a path)."""
    return reverse("initiatives:list") + (f"?{search}" if search else "")
