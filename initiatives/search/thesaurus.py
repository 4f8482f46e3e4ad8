"""The multilingual thesaurus: the catalogue's subject matter in the six UN languages.

``thesaurus.toml`` lists concepts, each with the English words the catalogue uses (and common
English alternatives) and the standard terms in French, Spanish, Russian, Arabic and Chinese. A
query's words in French, Spanish, Russian or Arabic are folded (``text.fold_scripts``) and
stemmed by PostgreSQL's snowball configuration of their language, exactly as the thesaurus terms
are; a Chinese query, which has no spaces, is matched against the Chinese terms, longest first.
Each run of words that is a concept's term becomes one clause of the search, answered by the
concept's English words, so "alerta temprana" finds what "early warning" finds. The English side
also sends an English alternative ("drug courts") to the concept's catalogue words.
"""

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db import connection

from .text import ANY_WORD, HAN, fold_scripts, words

THESAURUS_FILE = Path(__file__).with_name("thesaurus.toml")
FOREIGN_LANGUAGES = ("fr", "es", "ru", "ar", "zh")
# PostgreSQL's snowball configurations, for the languages whose words are stemmed.
STEMMING = {"fr": "french", "es": "spanish", "ru": "russian", "ar": "arabic"}
LATIN_LANGUAGES = ("fr", "es")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
ARABIC = re.compile(r"[\u0600-\u06ff]")
# The article and the particles fused to it ("the", "and the", "with the", "for the"): the
# snowball stemmer keeps some of them, so "السرية" and "سرية" would be two words.
ARABIC_ARTICLE = re.compile(r"^(?:وال|بال|كال|فال|لل|ال)(?=\w{3})")
# A single Chinese character is too ambiguous to stand for a concept.
SHORTEST_CHINESE_TERM = 2

# to_tsvector() over a list of words has no ORM form: the words are not rows of a table. The
# configurations are this module's constants, never input.
STEM_SQL = "SELECT u.n, {columns} FROM unnest(%s::text[]) WITH ORDINALITY AS u(word, n)"
STEM_COLUMN = "array_to_string(tsvector_to_array(to_tsvector('{config}', u.word)), ' ')"

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Concept:
    id: str
    english: tuple[Phrase, ...]  # the catalogue's words first, then the alternatives
    alternatives: tuple[Phrase, ...]  # the English alternatives the catalogue does not use
    terms: dict[str, tuple[str, ...]]  # language -> terms as written

    @property
    def label(self) -> str:
        return self.terms["en"][0]


def parse_thesaurus(text: str) -> tuple[Concept, ...]:
    """The concepts of a thesaurus file; a ValueError names the first concept that is wrong."""
    concepts = []
    for number, entry in enumerate(tomllib.loads(text).get("concept", []), start=1):
        name = entry.get("id") or f"concept {number}"
        terms = {"en": tuple(entry.get("en", ())) + tuple(entry.get("en_alt", ()))}
        terms.update({language: tuple(entry.get(language, ())) for language in FOREIGN_LANGUAGES})
        missing = [language for language, found in terms.items() if not found]
        if missing:
            raise ValueError(f"{THESAURUS_FILE.name}: {name} has no {', '.join(missing)} term")
        english = tuple(dict.fromkeys(tuple(words(term)) for term in terms["en"]))
        if () in english or any(not term.strip() for found in terms.values() for term in found):
            raise ValueError(f"{THESAURUS_FILE.name}: {name} has an empty term")
        alternatives = tuple(tuple(words(term)) for term in entry.get("en_alt", ()))
        concepts.append(Concept(name, english, tuple(a for a in alternatives if a), terms))
    return tuple(concepts)


@cache
def concepts() -> tuple[Concept, ...]:
    return parse_thesaurus(THESAURUS_FILE.read_text(encoding="utf-8"))


def english_synonyms(found: tuple[Concept, ...]) -> dict[Phrase, set[Phrase]]:
    """Each concept's English alternatives find its catalogue words ("drug courts" finds
    "treatment courts"). One way only: a query in the catalogue's own words already finds what
    it asks for, and widening it to every related term would bury the best matches."""
    table: dict[Phrase, set[Phrase]] = {}
    for concept in found:
        catalogue_words = [p for p in concept.english if p not in concept.alternatives]
        for phrase in concept.alternatives:
            table.setdefault(phrase, set()).update(p for p in catalogue_words if p != phrase)
    return table


def stems(tokens: list[str], languages=tuple(STEMMING)) -> dict[str, list[str]]:
    """Each token as PostgreSQL's snowball stemmer of each language stores it ("" for a stop
    word), in one query."""
    if not tokens:
        return {language: [] for language in languages}
    columns = ", ".join(STEM_COLUMN.format(config=STEMMING[language]) for language in languages)
    with connection.cursor() as cursor:
        cursor.execute(STEM_SQL.format(columns=columns), [tokens])
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    return {
        language: [rows[position][column] for position in range(1, len(tokens) + 1)]
        for column, language in enumerate(languages)
    }


def comparable(token: str) -> str:
    """A word as queries and terms are compared before stemming."""
    return ARABIC_ARTICLE.sub("", fold_scripts(token))


def script_of(token: str) -> str:
    if HAN.search(token):
        return "zh"
    if CYRILLIC.search(token):
        return "ru"
    if ARABIC.search(token):
        return "ar"
    return "latin"


@dataclass(frozen=True)
class ConceptMatch:
    concept: Concept
    language: str
    spans: tuple[tuple[int, int], ...]  # where its words are in the query


@dataclass(frozen=True)
class TermIndex:
    """The thesaurus's foreign terms in the form queries are compared in."""

    stemmed: dict[str, dict[tuple[str, ...], str]]  # language -> stems -> concept id
    chinese: dict[str, str]  # folded term -> concept id
    concepts: dict[str, Concept]

    @classmethod
    def build(cls, found: tuple[Concept, ...]) -> "TermIndex":
        stemmed: dict[str, dict[tuple[str, ...], str]] = {}
        for language in STEMMING:
            terms = [(concept.id, term) for concept in found for term in concept.terms[language]]
            tokens = [[comparable(t.group()) for t in ANY_WORD.finditer(term)] for _, term in terms]
            unique = sorted({token for term_tokens in tokens for token in term_tokens})
            stem_of = dict(zip(unique, stems(unique, (language,))[language], strict=True))
            table = stemmed.setdefault(language, {})
            for (concept_id, _), term_tokens in zip(terms, tokens, strict=True):
                key = tuple(stem_of[token] for token in term_tokens if stem_of[token])
                if key:
                    table.setdefault(key, concept_id)
        chinese = {}
        for concept in found:
            for term in concept.terms["zh"]:
                folded = re.sub(r"\s+", "", fold_scripts(term))
                if len(folded) >= SHORTEST_CHINESE_TERM:
                    chinese.setdefault(folded, concept.id)
        return cls(stemmed, chinese, {concept.id: concept for concept in found})

    @property
    def longest(self) -> int:
        return max((len(key) for table in self.stemmed.values() for key in table), default=1)

    def find(
        self, text: str, language: str | None = None, english_knows=None
    ) -> list[ConceptMatch]:
        """The concepts named in ``text``, in the order they occur.

        Cyrillic, Arabic and Chinese words are looked up in their language. Latin words are
        looked up in French and Spanish (the page's language first), but only taken as such when
        the page is in that language, or a word of the run is not an English word of the
        catalogue (``english_knows``) or carries an accent: "prevention" typed on an English page
        stays English.
        """
        tokens = [(match.group(), match.span()) for match in ANY_WORD.finditer(text)]

        def _not_english(token: str) -> bool:
            folded = fold_scripts(token)
            return folded != token.lower() or (
                english_knows is not None and not english_knows(folded)
            )

        by_script: dict[str, list[tuple[str, tuple[int, int]]]] = {}
        for token, span in tokens:
            by_script.setdefault(script_of(token), []).append((token, span))
        # Every word in every stemmed language at once: one query, whatever the words.
        stemmed = [(token, span) for token, span in tokens if script_of(token) != "zh"]
        all_stems = stems([comparable(token) for token, _ in stemmed])
        stems_of = {
            language: dict(zip((span for _, span in stemmed), found, strict=True))
            for language, found in all_stems.items()
        }
        found: list[ConceptMatch] = []
        for token, span in by_script.get("zh", []):
            found += self._find_chinese(token, span)
        for script in ("ru", "ar"):
            found += self._find_stemmed(
                by_script.get(script, []), stems_of[script], script, lambda run: True
            )
        latin = by_script.get("latin", [])
        order = sorted(LATIN_LANGUAGES, key=lambda lang: lang != language)
        for candidate in order:
            taken = {span for match in found for span in match.spans}
            remaining = [(token, span) for token, span in latin if span not in taken]

            def foreign(run, candidate=candidate):
                return candidate == language or any(_not_english(token) for token in run)

            found += self._find_stemmed(remaining, stems_of[candidate], candidate, foreign)
        return sorted(found, key=lambda match: match.spans[0])

    def _find_stemmed(self, tokens, stem_of, language, accept) -> list[ConceptMatch]:
        table = self.stemmed.get(language, {})
        kept = [(stem_of[span], token, span) for token, span in tokens if stem_of[span]]
        found, index = [], 0
        while index < len(kept):
            for length in range(min(self.longest, len(kept) - index), 0, -1):
                run = kept[index : index + length]
                concept_id = table.get(tuple(stem for stem, _, _ in run))
                if concept_id and accept([token for _, token, _ in run]):
                    spans = tuple(span for _, _, span in run)
                    found.append(ConceptMatch(self.concepts[concept_id], language, spans))
                    index += length
                    break
            else:
                index += 1
        return found

    def _find_chinese(self, token: str, span: tuple[int, int]) -> list[ConceptMatch]:
        folded, found, index = fold_scripts(token), [], 0
        longest = max((len(term) for term in self.chinese), default=0)
        while index < len(folded):
            for length in range(min(longest, len(folded) - index), SHORTEST_CHINESE_TERM - 1, -1):
                concept_id = self.chinese.get(folded[index : index + length])
                if concept_id:
                    found.append(ConceptMatch(self.concepts[concept_id], "zh", (span,)))
                    index += length
                    break
            else:
                index += 1
        return found
