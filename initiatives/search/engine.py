"""Run a parsed query against the catalogue: match, rank and highlight.

Matching is strict first (every clause), so "early warning Americas" finds initiatives about all
three. When fewer than ``ENOUGH_COMPLETE_MATCHES`` match them all, as with a question typed in
full, initiatives matching most clauses follow, ranked by how many they match. When even that
finds nothing, each typed word is a clause of its own and any one of them is enough, so a query
with a word of the catalogue in it always finds something ("money laundering" finds the
initiatives about money although no text says "money laundering"). Ranking uses the stored,
weighted ``search_vector`` (title above organizations and codes above description).
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import Case, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .document import SEARCH_CONFIG
from .query import Clause, ParsedQuery, SynonymTable, curated_synonyms, organization_synonyms
from .query import parse_query as _parse
from .spelling import Vocabulary
from .text import fold, is_stop_word, words
from .thesaurus import TermIndex, concepts, english_synonyms

# Control characters never occur in catalogue text, so they can mark matches safely.
START, STOP = "\x02", "\x03"
FRAGMENT_DELIMITER = " … "
# Weights for D, C, B, A: description (C) counts, but a title match (A) counts most.
RANK_WEIGHTS = [0.05, 0.25, 0.5, 1.0]
RANK_NORMALIZATION = 1  # divide by 1 + log(document length): long texts don't win by length
# Below this many initiatives matching every clause, partial matches are listed after them.
ENOUGH_COMPLETE_MATCHES = 10


@dataclass(frozen=True)
class SearchContext:
    """What parsing needs from the catalogue: the synonyms (curated, the thesaurus's English
    words and the organizations' names), the vocabulary for spelling help and the thesaurus's
    terms in the other languages."""

    synonyms: SynonymTable
    vocabulary: Vocabulary
    terms: TermIndex

    @classmethod
    def build(cls, organizations, vocabulary: Vocabulary) -> "SearchContext":
        """``organizations``: (acronym, name) pairs."""
        synonyms = curated_synonyms().merged(english_synonyms(concepts()))
        synonyms = synonyms.merged(organization_synonyms(organizations))
        return cls(synonyms, vocabulary, TermIndex.build(concepts()))

    def parse(self, text: str, language: str | None = None) -> ParsedQuery:
        """``language``: the page's, whose words are taken as such first ("prevención" on a
        Spanish page)."""
        matches = self.terms.find(text, language, self.vocabulary.knows)
        rest = text
        for start, end in (span for match in matches for span in match.spans):
            rest = rest[:start] + " " * (end - start) + rest[end:]  # same length: spans stay
        parsed = _parse(rest, synonyms=self.synonyms, speller=self.vocabulary.suggest)
        parsed.text = text.strip()
        return parsed.with_concepts(matches, self.synonyms)


def ts(query_text: str) -> SearchQuery:
    return SearchQuery(query_text, search_type="raw", config=SEARCH_CONFIG)


def relevance(query: SearchQuery) -> SearchRank:
    return SearchRank(
        F("search_vector"), query, weights=RANK_WEIGHTS, normalization=RANK_NORMALIZATION
    )


def match(queryset: QuerySet, parsed: ParsedQuery, translated: QuerySet | None = None) -> QuerySet:
    """The initiatives of ``queryset`` that match ``parsed``, annotated with ``rank`` and
    ``complete`` (whether they match every clause), and with ``coverage`` (how many clauses they
    match) when some match only part of them. ``translated``: the ids of initiatives whose
    reviewed translation matches the query as typed; they match too (after the others)."""
    also = Q(pk__in=translated) if translated is not None else Q(pk__in=[])
    if not parsed:
        if translated is None:
            return queryset.none().annotate(rank=Value(0.0), complete=Value(False))
        # A cast, not a bare constant: PostgreSQL refuses "ORDER BY 0.0".
        unranked = Cast(Value(0.0), FloatField())
        return queryset.filter(also).annotate(rank=unranked, complete=Value(True))
    strict = queryset.filter(Q(search_vector=ts(parsed.all_tsquery)) | also).annotate(
        rank=relevance(ts(parsed.any_tsquery)), complete=Value(True)
    )
    single = len(parsed.clauses) == 1
    if single and not parsed.falls_back_to_words:
        return strict
    # Counting stops at the threshold: a broad query does not pay for an exact count here.
    complete = len(strict.order_by().values_list("pk", flat=True)[:ENOUGH_COMPLETE_MATCHES])
    if complete >= ENOUGH_COMPLETE_MATCHES or (single and complete):
        return strict
    if not single:
        relaxed = _partial(queryset, parsed, parsed.clauses, parsed.minimum_match, also)
        same = parsed.minimum_match == 1 and not parsed.falls_back_to_words
        if complete or same or relaxed.exists():
            return relaxed
    return _partial(queryset, parsed, parsed.word_clauses, 1, also)


def _partial(queryset: QuerySet, parsed: ParsedQuery, clauses: list[Clause], minimum: int, also):
    """Initiatives matching at least ``minimum`` of ``clauses`` (or ``also``); complete when
    they match every clause of ``parsed``."""
    coverage = sum(
        (
            Case(When(search_vector=ts(clause), then=1), default=0, output_field=IntegerField())
            for clause in parsed.clause_tsqueries(clauses)
        ),
        start=Value(0, output_field=IntegerField()),
    )
    complete = Value(False)
    if clauses is parsed.clauses:
        complete = Case(When(coverage=len(clauses), then=Value(True)), default=Value(False))
    any_query = ts(parsed.any_of(clauses))
    return (
        queryset.filter(Q(search_vector=any_query) | also)
        .annotate(coverage=coverage)
        .filter(Q(coverage__gte=minimum) | also)
        .annotate(rank=relevance(any_query), complete=complete)
    )


def with_headlines(queryset: QuerySet, parsed: ParsedQuery) -> QuerySet:
    """``queryset`` with each initiative's highlighted title and excerpt (``title_marked``,
    ``excerpt_marked``), computed by PostgreSQL on the texts folded as the index folds them
    (``restore_case`` carries the marks back onto the texts as written)."""
    if not parsed:
        return queryset
    query = ts(parsed.highlight_tsquery)
    marks = {"config": SEARCH_CONFIG, "start_sel": START, "stop_sel": STOP}
    return queryset.annotate(
        title_marked=SearchHeadline(F("folded_title"), query, highlight_all=True, **marks),
        excerpt_marked=SearchHeadline(
            F("folded_description"),
            query,
            max_words=28,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=FRAGMENT_DELIMITER,
            **marks,
        ),
    )


def restore_case(original: str, marked: str) -> SafeString:
    """Re-apply the highlight marks of a headline computed on folded text to the original.

    The headline was computed on lower-cased, accent-free text (so matches agree with the
    index); letters map one to one, so the marks can be carried back onto the original text,
    fragment by fragment, and everything else is HTML-escaped.
    """
    folded_text = fold(original)
    if len(folded_text) != len(original):
        # A letter whose lower case is longer (İ): positions no longer line up, so fragments
        # are looked up as printed and, when not found, shown as PostgreSQL returned them.
        folded_text = original
    out: list[str] = []
    for fragment in marked.split(FRAGMENT_DELIMITER):
        plain = fragment.replace(START, "").replace(STOP, "")
        position = folded_text.find(plain)
        if position < 0:  # PostgreSQL dropped something (it strips HTML-like tags): use its text
            out.append(_mark(fragment, plain))
            continue
        out.append(_mark(fragment, original[position : position + len(plain)]))
    return mark_safe(FRAGMENT_DELIMITER.join(out))  # each piece escaped by _mark


def _mark(marked: str, original: str) -> str:
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


# Words every initiative uses: no help in telling which ones are alike.
GENERIC_WORDS = frozenset(
    """drug drugs synthetic initiative initiatives programme programmes program programs project
    countries country national international support use including also well new""".split()
)


def similarity_query(title: str, most: int = 12) -> SearchQuery | None:
    """An any-word query from an initiative's title, to find its kin. (The title's words are
    few and telling; the description's would match most of a large group.)"""
    chosen = [
        word
        for word in dict.fromkeys(words(title))
        if len(word) > 2 and not is_stop_word(word) and word not in GENERIC_WORDS
    ][:most]
    if not chosen:
        return None
    return ts(" | ".join(f"'{word}'" for word in chosen))
