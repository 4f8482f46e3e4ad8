"""Run a parsed query against the catalogue: match, rank and highlight.

Matching is strict first (every clause), so "early warning Americas" finds initiatives about all
three. When nothing matches all of them, as with a question typed in full, the search relaxes to
initiatives matching most clauses, ranked by how many they match. Ranking uses the stored,
weighted ``search_vector`` (title above organizations and codes above description).

The list page bounds its ranking: ``search_vector`` is wide (often stored out of line), and
ranking thousands of matches with it dominated a search on a large catalogue. So every match is
first put in order by the narrow ``search_head`` (title and keywords, same weights), and only the
first ``RANK_DEPTH`` of that order are ranked with the full vector. Up to ``RANK_DEPTH`` matches
(the whole real catalogue) the order is exactly the full ranking; beyond, the best are picked by
the first pass and the rest keep its order, and the page says so. The API ranks every match.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import (
    Case,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.utils.safestring import SafeString

from . import phrases
from .document import ACCENTED, PLAIN, SEARCH_CONFIG
from .query import (
    ParsedQuery,
    SynonymTable,
    curated_synonyms,
    organization_synonyms,
    parse_query,
)
from .spelling import current_vocabulary, stems
from .text import is_stop_word, words

CODE_QUERY = re.compile(r"^\s*([1-3][1-9][0-9]{2}[A-Za-z]?)\s*$")
# Control characters never occur in catalogue text, so they can mark matches safely.
START, STOP = "\x02", "\x03"
FRAGMENT_DELIMITER = " … "
# ts_headline() options, as its option list (a quoted value may hold anything but a quote).
HEADLINE_OPTIONS = (
    f"StartSel='{START}', StopSel='{STOP}', MaxWords=28, MinWords=12, MaxFragments=2, "
    f"FragmentDelimiter='{FRAGMENT_DELIMITER}'"
)
TITLE_HEADLINE_OPTIONS = f"StartSel='{START}', StopSel='{STOP}', HighlightAll=true"
# Weights for D, C, B, A: description (C) counts, but a title match (A) counts most.
RANK_WEIGHTS = [0.05, 0.25, 0.5, 1.0]
RANK_NORMALIZATION = 1  # divide by 1 + log(document length): long texts don't win by length
# Below this many initiatives matching every clause, partial matches are listed after them.
ENOUGH_COMPLETE_MATCHES = 10
# How many of the first pass's best matches are ranked with the full search_vector.
RANK_DEPTH = 200
_FOLD_TABLE = str.maketrans(ACCENTED, PLAIN)
_ACCENTED_LETTER = re.compile(f"[{ACCENTED}]")


def code_in(text: str) -> str | None:
    """The initiative code typed as the whole query ("2114", "2206a"), upper-cased."""
    match = CODE_QUERY.match(text or "")
    return match.group(1).upper() if match else None


def ts(query_text: str) -> SearchQuery:
    return SearchQuery(query_text, search_type="raw", config=SEARCH_CONFIG)


@dataclass
class SearchOutcome:
    parsed: ParsedQuery
    queryset: QuerySet
    relaxed: bool = False
    complete_matches: int | None = None  # how many match every clause (None: all of them)

    @property
    def suggestion(self) -> str | None:
        return self.parsed.corrected_text

    def by_relevance(self, queryset: QuerySet | None = None, *, bounded=False) -> QuerySet:
        """Best first: more clauses matched (relaxed search), then rank, then code.

        ``bounded``: ``rank`` (the full vector) is computed for the first ``RANK_DEPTH`` matches
        of the first pass only (``head_rank``, then code); the CASE leaves the others unranked,
        after them, in the first pass's order. The window sorts every match, so this is for
        narrow rows (ids and facet fields), not whole initiatives.
        """
        queryset = self.queryset if queryset is None else queryset
        leading = [F("coverage").desc()] if self.relaxed else []
        if not bounded:
            return queryset.order_by(*leading, F("rank").desc(), "code")
        queryset = queryset.annotate(
            first_pass=Window(RowNumber(), order_by=[*leading, F("head_rank").desc(), "code"])
        )
        ranked = Q(first_pass__lte=RANK_DEPTH)
        bounded_rank = Case(When(ranked, then=F("rank")), output_field=FloatField())
        # Ties in the full rank fall back to the code, exactly as without bounding; only the
        # matches beyond the depth are ordered by the quick first pass.
        quick_rank = Case(When(~ranked, then=F("head_rank")), output_field=FloatField())
        return queryset.order_by(
            *leading, bounded_rank.desc(nulls_last=True), quick_rank.desc(nulls_last=True), "code"
        )


def relevance(field: str, query: SearchQuery) -> SearchRank:
    """The rank every relevance order uses, on ``search_vector`` or ``search_head``."""
    return SearchRank(F(field), query, weights=RANK_WEIGHTS, normalization=RANK_NORMALIZATION)


@lru_cache(maxsize=4)
def synonyms_with(organizations: tuple[tuple[str, str], ...]) -> SynonymTable:
    """The curated synonyms and the organizations' names (built once per list of them)."""
    return curated_synonyms().merged(organization_synonyms(organizations))


def build_query(text: str, organizations, version: str | None = None) -> ParsedQuery:
    """Parse with the curated synonyms, the organizations' names and the catalogue's spelling
    (of the catalogue ``version``, when known)."""
    synonyms = synonyms_with(tuple(organizations))
    vocabulary = current_vocabulary(version)
    parsed = parse_query(text, synonyms=synonyms, speller=vocabulary.suggest)
    parsed.tokens = phrases.known_tokens()
    for word, stem in stems(parsed.prefix_words).items():
        completions = vocabulary.completions(stem)
        if completions is not None:
            parsed.completions[word] = completions
    return parsed


def search(
    queryset: QuerySet, text: str, organizations, version: str | None = None
) -> SearchOutcome:
    """Restrict ``queryset`` to matches of ``text``, annotated with ``rank`` (and ``coverage``).

    Initiatives matching every clause come first. When there are fewer than a page's top ten
    of them, initiatives matching most clauses follow, ranked by how many they match.
    """
    parsed = build_query(text, organizations, version)
    if not parsed:
        return SearchOutcome(
            parsed, queryset.none().annotate(rank=Value(0.0), head_rank=Value(0.0))
        )
    any_query = ts(parsed.any_tsquery)
    rank = relevance("search_vector", any_query)
    head_rank = relevance("search_head", any_query)
    strict = queryset.filter(search_vector=ts(parsed.all_tsquery))
    if len(parsed.clauses) == 1:
        return SearchOutcome(parsed, strict.annotate(rank=rank, head_rank=head_rank))
    # Counting stops at the threshold: a broad query does not pay for an exact count here.
    complete = len(strict.values_list("pk", flat=True)[:ENOUGH_COMPLETE_MATCHES])
    if complete >= ENOUGH_COMPLETE_MATCHES:
        return SearchOutcome(
            parsed, strict.annotate(rank=rank, head_rank=head_rank), complete_matches=complete
        )

    coverage = sum(
        (
            Case(When(search_vector=ts(clause), then=1), default=0, output_field=IntegerField())
            for clause in parsed.clause_tsqueries()
        ),
        start=Value(0, output_field=IntegerField()),
    )
    relaxed = (
        queryset.filter(search_vector=ts(parsed.any_matching_tsquery))
        .annotate(coverage=coverage)
        .filter(coverage__gte=parsed.minimum_match)
        .annotate(rank=rank, head_rank=head_rank)
    )
    return SearchOutcome(parsed, relaxed, relaxed=True, complete_matches=complete)


def with_headlines(queryset: QuerySet, parsed: ParsedQuery) -> QuerySet:
    """``queryset`` with each initiative's highlighted title and excerpt computed by PostgreSQL
    (``title_marked``, ``excerpt_marked``): for the page of results shown only.

    Written as SQL: built from Django's search expressions, with the accent folding, these two
    columns took more Python than the rest of the page's query (Django also writes each
    headline option through a new cursor, every time).
    """
    if not parsed:
        return queryset
    table = queryset.model._meta.db_table
    return queryset.annotate(
        title_marked=_headline(table, "title", parsed.highlight_tsquery, TITLE_HEADLINE_OPTIONS),
        excerpt_marked=_headline(table, "description", parsed.highlight_tsquery, HEADLINE_OPTIONS),
    )


def _headline(table: str, column: str, tsquery: str, options: str) -> RawSQL:
    """ts_headline() on the column folded as the index folds it (``document.folded``): lower
    case, and accents stripped where there are any (translate() compares each character with
    each accented letter: about 7 ms for the descriptions of a page, most of which have none)."""
    text = f'LOWER("{table}"."{column}")'
    return RawSQL(
        f"ts_headline(%s::regconfig, CASE WHEN {text} ~ %s THEN TRANSLATE({text}, %s, %s) "
        f"ELSE {text} END, to_tsquery(%s::regconfig, %s), %s)",
        (SEARCH_CONFIG, f"[{ACCENTED}]", ACCENTED, PLAIN, SEARCH_CONFIG, tsquery, options),
        output_field=TextField(),
    )


def headlines(initiatives) -> dict[int, dict[str, SafeString]]:
    """Highlighted title and excerpt by id, for initiatives read ``with_headlines``."""
    return {
        initiative.pk: {
            "title": restore_case(initiative.title, initiative.title_marked),
            "excerpt": restore_case(initiative.description, initiative.excerpt_marked),
        }
        for initiative in initiatives
        if hasattr(initiative, "title_marked")
    }


def restore_case(original: str, marked: str) -> SafeString:
    """Re-apply the highlight marks of a headline computed on folded text to the original.

    The headline was computed on lower-cased, accent-free text (so matches agree with the
    index); letters map one to one, so the marks can be carried back onto the original text,
    fragment by fragment, and everything else is HTML-escaped.
    """
    folded = _fold_same_length(original)
    if len(folded) != len(original):
        # A letter whose lower case is longer (İ): positions no longer line up, so fragments
        # are looked up as printed and, when not found, shown as PostgreSQL returned them.
        folded = original
    out: list[str] = []
    for fragment in marked.split(FRAGMENT_DELIMITER):
        plain = fragment.replace(START, "").replace(STOP, "")
        position = folded.find(plain)
        if position < 0:  # PostgreSQL dropped something (it strips HTML-like tags): use its text
            out.append(_mark(fragment, plain))
            continue
        out.append(_mark(fragment, original[position : position + len(plain)]))
    return SafeString(FRAGMENT_DELIMITER.join(out))


def _mark(marked: str, original: str) -> str:
    # The standard library's escape(): Django's (the same text) checks its argument for lazy
    # strings first, which cost more than escaping these short pieces.
    html, cursor = [], 0
    for piece in re.split(f"([{START}{STOP}])", marked):
        if piece == START:
            html.append("<mark>")
        elif piece == STOP:
            html.append("</mark>")
        else:
            html.append(escape(original[cursor : cursor + len(piece)]))
            cursor += len(piece)
    return "".join(html)


def _fold_same_length(text: str) -> str:
    lowered = text.lower()
    # translate() looks up every character; most texts have no accented letter at all (though
    # many have typographic quotes or dashes), and searching for one is much quicker.
    return lowered.translate(_FOLD_TABLE) if _ACCENTED_LETTER.search(lowered) else lowered


# Words every initiative uses: no help in telling which ones are alike.
GENERIC_WORDS = frozenset(
    """drug drugs synthetic initiative initiatives programme programmes program programs project
    countries country national international support use including also well new""".split()
)


def similarity_query(initiative, most: int = 12) -> SearchQuery | None:
    """An any-word query from an initiative's title, to find its kin. (The title's words are
    few and telling; the description's would match most of a large group.)"""
    chosen = [
        word
        for word in dict.fromkeys(words(initiative.title))
        if len(word) > 2 and not is_stop_word(word) and word not in GENERIC_WORDS
    ][:most]
    if not chosen:
        return None
    return ts(" | ".join(f"'{word}'" for word in chosen))
