"""What the browse page shows for one request: results, page, facets, selected filters.

Kept out of the view so the HTML list and the tests read the same thing.
"""

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import formats
from django.utils.translation import gettext

from . import derived, whats_new
from .facets import GROUPED_BY, FacetOption, facet_options
from .filters import SORTS, InitiativeFilter
from .models import Initiative
from .querysets import SEARCH_LIMIT
from .search.engine import restore_case
from .search.text import words

PAGE_SIZE = 120  # browsing: the whole current catalogue (118) on one page, as the source page
SEARCH_PAGE_SIZE = 20  # ranked results: the best ones first, highlighted

# "Searched for: …" names at most this many terms (a broad synonym set has dozens).
SEARCHED_FOR_SHOWN = 8


@dataclass
class SelectedFilter:
    label: str
    remove_url: str


@dataclass
class Listing:
    filterset: InitiativeFilter
    page: Page
    facets: dict[str, list[FacetOption]]
    selected: list[SelectedFilter]
    ignored: list[str]
    capped: bool = False  # more matches than a search ranks: the count reads "1,000+"
    # Initiatives published from then on are marked "New" (``whats_new``); the cached cards
    # are kept per day (``new_marks_day``) so that the mark goes when its days are over.
    new_since: datetime | None = None

    @property
    def new_marks_day(self) -> str:
        return self.new_since.date().isoformat() if self.new_since else ""

    @property
    def cache_key(self) -> str | None:
        """What the page's cached fragments are kept under: the catalogue version and code
        release (None, nothing cached, when the version cannot be read)."""
        version = self.filterset.version
        return derived.key("results", version) if version else None

    @property
    def page_ids(self) -> list[int]:
        """What the page lists (a browsed page's cards are read only when not cached)."""
        listed = self.page.object_list
        if isinstance(listed, QuerySet):
            return list(listed.values_list("pk", flat=True))
        return [initiative.pk for initiative in listed]

    @property
    def query(self) -> str:
        return self.filterset.search_text

    @property
    def count(self) -> int:
        return self.page.paginator.count

    @property
    def search_limit(self) -> str:
        return formats.number_format(SEARCH_LIMIT, force_grouping=True)

    @property
    def count_label(self) -> str:
        """The count as the page's language writes it ("1,000+", "1 000+" in French)."""
        count = formats.number_format(self.count, force_grouping=True)
        return gettext("%(count)s+") % {"count": count} if self.capped else count

    @property
    def sort(self) -> str:
        return self.filterset.sort_order

    @property
    def sort_options(self) -> list[tuple[str, str]]:
        """The first option (empty value) is the default for the query, so that a new search
        typed above a browsed list is ranked by relevance, not by the list's code order."""
        others = [(value, SORTS[value]) for value in ("title", "newest")]
        if self.query:
            return [("", SORTS["relevance"]), ("code", SORTS["code"]), *others]
        return [("", SORTS["code"]), *others]

    @property
    def sort_value(self) -> str:
        """The option to show selected."""
        default = "relevance" if self.query else "code"
        return "" if self.sort == default else self.sort

    @property
    def grouped(self) -> bool:
        return self.sort == "code"

    @property
    def suggestion(self) -> str | None:
        parsed = self.filterset.search_query
        return parsed.corrected_text if parsed else None

    @property
    def searched_for(self) -> list[str]:
        """The English terms a search looked for, when they are more than the words typed (its
        synonyms, or the concepts of a query in another language): why a result came."""
        parsed = self.filterset.search_query
        if not parsed:
            return []
        terms = parsed.searched_for[:SEARCHED_FOR_SHOWN]
        return [] if terms == [" ".join(words(parsed.text))] else terms

    @property
    def suggestion_url(self) -> str | None:
        if not self.suggestion:
            return None
        return _url(_replace(self.filterset.data, q=self.suggestion))

    @property
    def partial_from(self) -> int | None:
        """Position on this page of the first result that matches only some of the words."""
        if self.sort != "relevance":
            return None
        for position, initiative in enumerate(self.page.object_list):
            if not initiative.complete:
                return position
        return None

    def items(self):
        """(initiative, highlighted title or None, highlighted excerpt or None) for the page."""
        for initiative in self.page.object_list:
            if hasattr(initiative, "title_marked"):
                yield (
                    initiative,
                    restore_case(initiative.title, initiative.title_marked),
                    restore_case(initiative.description, initiative.excerpt_marked),
                )
            else:
                yield initiative, None, None


def _replace(data: QueryDict, **changes) -> QueryDict:
    updated = data.copy()
    for key, value in changes.items():
        if value is None:
            updated.pop(key, None)
        else:
            updated.setlist(key, value if isinstance(value, list) else [value])
    updated.pop("page", None)
    return updated


def _url(data: QueryDict) -> str:
    pairs = [(key, value) for key in data for value in data.getlist(key) if value != ""]
    return "?" + urlencode(pairs) if pairs else "?"


def _selected_filters(filterset: InitiativeFilter, facets) -> list[SelectedFilter]:
    data = filterset.data
    selected = []
    if filterset.search_text:
        selected.append(
            SelectedFilter(
                gettext("Search: %(query)s") % {"query": filterset.search_text},
                _url(_replace(data, q=None)),
            )
        )
    for facet, options in facets.items():
        chosen = filterset.cleaned(facet) or []
        for option in options:
            if option.value in chosen:
                rest = [value for value in data.getlist(facet) if value != option.value]
                selected.append(
                    SelectedFilter(option.label, _url(_replace(data, **{facet: rest or None})))
                )
    return selected


def _ignored(filterset: InitiativeFilter) -> list[str]:
    """Parameters that were not understood: named, and left out of the results."""
    messages = []
    for name, errors in filterset.errors.items():
        label = filterset.filters[name].label if name in filterset.filters else name
        values = ", ".join(filterset.data.getlist(name)) or gettext("(empty)")
        messages.append(
            gettext("%(filter)s “%(values)s”: %(errors)s")
            % {"filter": label, "values": values[:80], "errors": " ".join(errors)}
        )
    return messages


def build_listing(params: QueryDict, page_number=None, today: date | None = None) -> Listing:
    """``today``: the day the "New" marks are for (the current one by default)."""
    filterset = InitiativeFilter(params)
    new_since = whats_new.new_since(today or whats_new.today())
    if filterset.searching:
        listing = _search_listing(filterset, page_number)
    else:
        page = Paginator(filterset.qs.for_result_cards(), PAGE_SIZE).get_page(page_number)
        listing = _listing(filterset, page, facet_options(filterset))
    listing.new_since = new_since
    return listing


def _search_listing(filterset: InitiativeFilter, page_number) -> Listing:
    """A search reads its ranked matches' ids once: they give the count, the page and the
    facets, and only the page's initiatives are read in full, with their highlights."""
    ranked = list(filterset.qs.values_list("pk", "complete", *GROUPED_BY))
    capped = len(ranked) > SEARCH_LIMIT
    ranked = ranked[:SEARCH_LIMIT]
    page = Paginator(ranked, SEARCH_PAGE_SIZE).get_page(page_number)
    complete = {pk: whole for pk, whole, *_ in page.object_list}
    cards = Initiative.objects.filter(pk__in=complete).for_result_cards()
    by_id = {card.pk: card for card in cards.with_headlines(filterset.search_query)}
    page.object_list = [by_id[pk] for pk in complete if pk in by_id]
    for card in page.object_list:
        card.complete = complete[card.pk]
    facets = facet_options(filterset, matches=[(pk, *fields) for pk, _, *fields in ranked])
    return _listing(filterset, page, facets, capped)


def _listing(filterset, page, facets, capped=False) -> Listing:
    return Listing(
        filterset=filterset,
        page=page,
        facets=facets,
        selected=_selected_filters(filterset, facets),
        ignored=_ignored(filterset),
        capped=capped,
    )


def page_url(params: QueryDict, number: int) -> str:
    updated = params.copy()
    updated.setlist("page", [str(number)])
    return _url(updated)
