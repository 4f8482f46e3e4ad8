"""What the browse page shows for one request: results, page, facets, selected filters.

Kept out of the view so the HTML list, the CSV download and the tests read the same thing.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import QueryDict

from .facets import FacetOption, facet_options, row_fields
from .filters import FilterChoices, InitiativeFilter
from .models import Initiative
from .search import engine, sampling

PAGE_SIZE = 120  # browsing: the whole current catalogue (118) on one page, as the source page
SEARCH_PAGE_SIZE = 20  # ranked results: the best ones first, highlighted


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
    highlights: dict[int, dict] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    # A very large result (search.sampling): the count and facets are estimates, and whether
    # the best results are exactly those of the full order.
    estimated: bool = False
    best_exact: bool = True

    @property
    def query(self) -> str:
        return (self.filterset.form.cleaned_data.get("q") or "").strip()

    @property
    def outcome(self) -> engine.SearchOutcome | None:
        return self.filterset.search_outcome

    @property
    def count(self) -> int:
        return self.page.paginator.count

    @property
    def count_label(self) -> str:
        return f"about {self.count:,}" if self.estimated else str(self.count)

    @property
    def estimated_from(self) -> str:
        return f"{sampling.EXHAUSTIVE_LIMIT:,}"

    @property
    def sort(self) -> str:
        return self.filterset.sort_order

    @property
    def sort_options(self) -> list[tuple[str, str]]:
        """The first option (empty value) is the default for the query, so that a new search
        typed above a browsed list is ranked by relevance, not by the list's code order."""
        if self.query:
            return [("", "Relevance"), ("code", "Code"), ("title", "Title")]
        return [("", "Code"), ("title", "Title")]

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
        return self.outcome.suggestion if self.outcome else None

    @property
    def suggestion_url(self) -> str | None:
        if not self.suggestion:
            return None
        return _url(_replace(self.filterset.data, q=self.suggestion))

    @property
    def ranked_depth(self) -> int | None:
        """How many results were ranked in full, when that is fewer than all of them.

        Beyond ``engine.RANK_DEPTH`` matches, the first ``RANK_DEPTH`` are chosen by their
        title and keyword matches, then ranked in full; the rest follow in that quicker order.
        """
        if self.sort != "relevance" or self.count <= engine.RANK_DEPTH:
            return None
        return engine.RANK_DEPTH

    @property
    def partial_from(self) -> int | None:
        """Position on this page of the first result that matches only some of the words."""
        if not self.outcome or not self.outcome.relaxed or self.sort != "relevance":
            return None
        complete = self.outcome.complete_matches or 0
        first = self.page.start_index() - 1 if self.count else 0
        if complete >= first + len(self.page.object_list):
            return None
        return max(0, complete - first)

    def items(self):
        """(initiative, highlighted title or None, highlighted excerpt or None) for the page."""
        for initiative in self.page.object_list:
            marks = self.highlights.get(initiative.pk, {})
            yield initiative, marks.get("title"), marks.get("excerpt")


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
    cleaned = getattr(filterset.form, "cleaned_data", {})
    selected = []
    if (cleaned.get("q") or "").strip():
        selected.append(
            SelectedFilter(f"Search: {cleaned['q'].strip()}", _url(_replace(data, q=None)))
        )
    for facet, options in facets.items():
        chosen = cleaned.get(facet) or []
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
        values = ", ".join(filterset.data.getlist(name)) or "(empty)"
        messages.append(f"{label} “{values[:80]}”: {' '.join(errors)}")
    return messages


def build_listing(params: QueryDict, page_number=None, page_size: int | None = None) -> Listing:
    filterset = InitiativeFilter(params, choices=FilterChoices.load())
    filterset.qs  # noqa: B018  (applies the filters, which tells whether this is a search)
    if filterset.search_outcome is not None:
        return _search_listing(filterset, page_number, page_size or SEARCH_PAGE_SIZE)
    # The page's ids first, then its initiatives: the filters, the order and the count read
    # only the narrow index initiative_published_facets, and the wide rows are read for the
    # page alone (at 100,000 initiatives, sorting whole rows to keep 120 took 100 ms).
    page = Paginator(filterset.qs.values_list("pk", flat=True), page_size or PAGE_SIZE).get_page(
        page_number
    )
    ids = list(page.object_list)
    cards = Initiative.objects.with_ids(ids).for_result_cards()
    page.object_list = _cards(cards, ids, filterset.choices)
    facets = facet_options(filterset)
    return _listing(filterset, page, facets)


def _cards(found, ids: list[int], choices: FilterChoices) -> list[Initiative]:
    """The initiatives ``found`` in the order of ``ids``, with their groups and lead
    organizations from the filters' options."""
    by_id = {initiative.pk: initiative for initiative in found}
    cards = [by_id[pk] for pk in ids if pk in by_id]
    choices.attach(cards)
    return cards


def search_rows(filterset: InitiativeFilter):
    """Every match's id and facet fields, in the page's order (ranking bounded by relevance)."""
    results = filterset.qs
    if filterset.sort_order == "relevance":
        results = filterset.search_outcome.by_relevance(results, bounded=True)
    return results.values_list(*row_fields(filterset.choices))


def _search_listing(filterset, page_number, page_size) -> Listing:
    """A search reads its matches once: the ranked ids and facet fields of every result give
    the total, the page and the facet counts; then the page's initiatives are fetched by id."""
    estimated = _estimated_search_listing(filterset, page_number, page_size)
    if estimated is not None:
        return estimated
    rows = list(search_rows(filterset))
    page = Paginator(rows, page_size).get_page(page_number)
    ids = [row[0] for row in page.object_list]
    facets = facet_options(filterset, rows=rows)
    return _search_page(filterset, page, ids, facets)


def _search_page(filterset, page, ids, facets, estimated=False, best_exact=True) -> Listing:
    found = engine.with_headlines(
        Initiative.objects.with_ids(ids).for_result_cards(), filterset.search_outcome.parsed
    )
    page.object_list = _cards(found, ids, filterset.choices)
    highlights = engine.headlines(page.object_list)
    return _listing(filterset, page, facets, highlights, estimated, best_exact)


class _EstimatedResults:
    """The best results' ids, for a paginator that counts the estimated total."""

    def __init__(self, ids: list[int], estimate: int):
        self.ids, self.estimate = ids, estimate

    def __len__(self) -> int:
        return self.estimate

    def __getitem__(self, index):
        return self.ids[index]


def _estimated_search_listing(filterset, page_number, page_size) -> Listing | None:
    """A search matching more than ``sampling.EXHAUSTIVE_LIMIT`` initiatives: a sample of its
    matches gives estimated counts, and the best results are picked as in the full order.

    Only for the relevance order within the first ``RANK_DEPTH`` results; other orders, deeper
    pages and searches relaxed to partial matches visit every match, as before.
    """
    outcome = filterset.search_outcome
    if not outcome.parsed or filterset.sort_order != "relevance" or outcome.relaxed:
        return None
    try:
        number = int(page_number or 1)
    except (TypeError, ValueError):
        number = 1  # as Paginator.get_page
    if number < 1 or number * page_size > engine.RANK_DEPTH:
        return None
    fields = row_fields(filterset.choices)
    sample = sampling.sample_matches(
        filterset.qs, fields, sampling.EXHAUSTIVE_LIMIT, filterset.choices.version
    )
    if sample is None:
        return None
    best = sampling.best_matches(outcome, filterset.without_search(), sample, engine.RANK_DEPTH)
    page = Paginator(_EstimatedResults(best.ids, sample.estimate), page_size).get_page(number)
    facets = facet_options(filterset, rows=sample.rows, sample=sample)
    return _search_page(
        filterset, page, list(page.object_list), facets, estimated=True, best_exact=best.exact
    )


def _listing(filterset, page, facets, highlights=None, estimated=False, best_exact=True):
    return Listing(
        filterset=filterset,
        page=page,
        facets=facets,
        selected=_selected_filters(filterset, facets),
        highlights=highlights or {},
        ignored=_ignored(filterset),
        estimated=estimated,
        best_exact=best_exact,
    )


def page_url(params: QueryDict, number: int) -> str:
    updated = params.copy()
    updated.setlist("page", [str(number)])
    return _url(updated)
