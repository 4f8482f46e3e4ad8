"""Turn what someone typed into PostgreSQL text-search queries.

The syntax is the familiar web-search one (PostgreSQL's ``websearch_to_tsquery``): words,
"quoted phrases", ``or`` between alternatives and ``-word`` to exclude. On top of it:

* every typed word also matches as a prefix (``precurs`` finds "precursor");
* acronyms and their expansions, and curated synonyms, find each other (``synonyms.txt``);
* a word the catalogue does not know is also searched as its closest known spelling.

The result is a ``ParsedQuery``: a list of clauses (each an OR of alternatives, every
alternative a word or phrase), the exclusions, and the tsquery texts built from them. Words are
reduced to ``[a-z0-9]+`` before they reach a tsquery, so no input can break its syntax.
"""

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .text import QUESTION_FILLERS, is_stop_word, words

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')

Phrase = tuple[str, ...]


@dataclass
class Alternative:
    words: Phrase
    prefix: bool = False  # the last word also matches as a prefix
    typed: bool = True  # typed by the person, not added by expansion

    def tsquery(self) -> str:
        parts = [f"'{word}'" for word in self.words]
        if self.prefix:
            parts[-1] += ":*"
        return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"


@dataclass
class Clause:
    """One thing the person asked for; satisfied by any of its alternatives."""

    alternatives: list[Alternative]
    quoted: bool = False

    @property
    def typed_text(self) -> str:
        return " or ".join(" ".join(a.words) for a in self.alternatives if a.typed)

    def tsquery(self) -> str:
        unique = list(dict.fromkeys(alternative.tsquery() for alternative in self.alternatives))
        return unique[0] if len(unique) == 1 else "(" + " | ".join(unique) + ")"


@dataclass
class ParsedQuery:
    text: str
    clauses: list[Clause] = field(default_factory=list)
    excluded: list[Phrase] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    # The typed words one clause each, without joining known phrases: what a search falls back
    # to when nothing matches the phrases ("money laundering" finds initiatives about money).
    word_clauses: list[Clause] = field(default_factory=list)
    # The thesaurus concepts named in another language ("alerta temprana"): one clause each.
    concepts: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.clauses)

    def _exclusions(self) -> str:
        return "".join(" & !" + Alternative(phrase).tsquery() for phrase in self.excluded)

    @property
    def all_tsquery(self) -> str:
        """Every clause must match."""
        return " & ".join(clause.tsquery() for clause in self.clauses) + self._exclusions()

    @property
    def any_tsquery(self) -> str:
        """At least one clause matches: for ranking."""
        return self.any_of(self.clauses)

    def any_of(self, clauses: list[Clause]) -> str:
        body = " | ".join(clause.tsquery() for clause in clauses)
        return (f"({body})" if len(clauses) > 1 else body) + self._exclusions()

    def clause_tsqueries(self, clauses: list[Clause]) -> list[str]:
        return [clause.tsquery() + self._exclusions() for clause in clauses]

    @property
    def highlight_tsquery(self) -> str:
        """What to mark in results: typed words, corrections and one-word synonyms.

        Words of multi-word synonyms are left out: PostgreSQL marks each word of a phrase
        wherever it occurs, which would light up "overdose" all over a search for naloxone.
        """
        alternatives = [
            alternative.tsquery()
            for clause in self.clauses
            for alternative in clause.alternatives
            if alternative.typed or len(alternative.words) == 1
        ]
        return " | ".join(dict.fromkeys(alternatives))

    @property
    def minimum_match(self) -> int:
        """How many clauses a partial match must match: one of two, most of a long question."""
        count = len(self.clauses)
        return 1 if count <= 2 else max(2, -(-count // 2))

    @property
    def falls_back_to_words(self) -> bool:
        """Whether the typed words, one clause each, differ from the clauses (a known phrase
        was joined)."""
        return [c.tsquery() for c in self.word_clauses] != [c.tsquery() for c in self.clauses]

    @property
    def searched_for(self) -> list[str]:
        """What the search looked for, each phrase once: the typed words, their synonyms and the
        English words of the concepts named in another language."""
        phrases = (" ".join(a.words) for clause in self.clauses for a in clause.alternatives)
        return list(dict.fromkeys(phrases))

    def with_concepts(self, matches, synonyms: "SynonymTable") -> "ParsedQuery":
        """This query (parsed without the words of ``matches``), with one clause per concept
        named, answered by its English words and their synonyms."""
        clauses = []
        for match in matches:
            phrases = list(match.concept.english)
            phrases += sorted(p for phrase in match.concept.english for p in synonyms.get(phrase))
            alternatives = [Alternative(p, typed=False) for p in dict.fromkeys(phrases)]
            clauses.append(Clause([a for a in alternatives if _meaningful(a.words)]))
        self.concepts = [match.concept for match in matches]
        self.clauses = clauses + self.clauses
        self.word_clauses = clauses + self.word_clauses
        return self

    @property
    def corrected_text(self) -> str | None:
        """The query with each misspelled word replaced, for "Did you mean …"."""
        if not self.corrections:
            return None
        text = self.text
        for typed, suggestion in self.corrections.items():
            text = re.sub(rf"(?i)\b{re.escape(typed)}\b", suggestion, text)
        return text


# --- synonyms --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SynonymTable:
    expansions: dict[Phrase, frozenset[Phrase]]

    @property
    def longest(self) -> int:
        return max((len(phrase) for phrase in self.expansions), default=1)

    def get(self, phrase: Phrase) -> frozenset[Phrase]:
        return self.expansions.get(phrase) or self.expansions.get(_singular(phrase), frozenset())

    def merged(self, extra: dict[Phrase, set[Phrase]]) -> "SynonymTable":
        expansions = {key: set(value) for key, value in self.expansions.items()}
        for key, value in extra.items():
            expansions.setdefault(key, set()).update(value)
        return SynonymTable({key: frozenset(value) for key, value in expansions.items()})


def _singular(phrase: Phrase) -> Phrase:
    last = phrase[-1]
    if len(last) > 3 and last.endswith("s") and not last.endswith("ss"):
        return (*phrase[:-1], last[:-1])
    return phrase


def parse_synonyms(text: str) -> SynonymTable:
    expansions: dict[Phrase, set[Phrase]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=>" in line:
            left, right = line.split("=>", 1)
            sources = [tuple(words(left))]
            targets = [tuple(words(item)) for item in right.split("|")]
        else:
            sources = targets = [tuple(words(item)) for item in line.split("|")]
        if not all(sources) or not all(targets) or len(targets) < 1:
            raise ValueError(f"{SYNONYMS_FILE.name}, line {number}: empty entry in {raw!r}")
        for source in sources:
            expansions.setdefault(source, set()).update(t for t in targets if t != source)
    return SynonymTable({key: frozenset(value) for key, value in expansions.items()})


@cache
def curated_synonyms() -> SynonymTable:
    return parse_synonyms(SYNONYMS_FILE.read_text(encoding="utf-8"))


def organization_synonyms(organizations) -> dict[Phrase, set[Phrase]]:
    """Each organization's acronym and name find each other ("CICAD", "WCO", "Colombo Plan")."""
    table: dict[Phrase, set[Phrase]] = {}
    for acronym, name in organizations:
        name_words = tuple(words(re.sub(r"\([^)]*\)", " ", name)))
        forms = {tuple(words(acronym))}
        forms.update((part,) for part in words(acronym) if len(words(acronym)) > 1)
        forms.update((part,) for part in re.findall(r"\(([^)]*)\)", name) for part in words(part))
        forms.discard(())
        for form in forms:
            if form != name_words:
                table.setdefault(form, set()).add(name_words)
                table.setdefault(name_words, set()).add(form)
    return table


# --- parsing ---------------------------------------------------------------------------------


@dataclass
class _Unit:
    words: Phrase
    raw: str
    quoted: bool = False
    negated: bool = False
    joined_by_or: bool = False  # "or" came just before this unit
    known_phrase: bool = False  # several typed words that are a phrase of the synonyms


def _units(text: str) -> list[_Unit]:
    units: list[_Unit] = []
    pending_or = False
    for match in TOKEN.finditer(text):
        negated_quote, quoted, raw = match.groups()
        if raw is not None:
            if raw.lower() == "or" and units:
                pending_or = True
                continue
            negated = raw.startswith("-") and len(raw) > 1
            unit_words = tuple(words(raw))
            unit = _Unit(unit_words, raw.lstrip("-"), negated=negated)
        else:
            unit = _Unit(tuple(words(quoted)), quoted, quoted=True, negated=bool(negated_quote))
        if not unit.words:
            continue
        unit.joined_by_or = pending_or and not unit.negated
        pending_or = False
        units.append(unit)
    return units


def _meaningful(phrase: Phrase) -> bool:
    return any(not is_stop_word(word) for word in phrase)


def parse_query(text: str, synonyms: SynonymTable | None = None, speller=None) -> ParsedQuery:
    """Parse ``text``. ``speller(word) -> str | None`` proposes a known spelling for a word."""
    synonyms = synonyms or curated_synonyms()
    parsed = ParsedQuery(text=text.strip())
    units = _units(text)
    parsed.excluded = [unit.words for unit in units if unit.negated and _meaningful(unit.words)]
    positive = [unit for unit in units if not unit.negated]

    # Keep question fillers only when nothing else was typed ("programmes" alone is a query).
    topical = [
        unit
        for unit in positive
        if unit.quoted or unit.joined_by_or or not set(unit.words) <= QUESTION_FILLERS
    ]
    positive = topical or positive
    parsed.clauses = _clauses(positive, synonyms, speller, parsed.corrections, join_phrases=True)
    parsed.word_clauses = _clauses(positive, synonyms, speller, {}, join_phrases=False)
    return parsed


def _clauses(positive, synonyms, speller, corrections: dict, join_phrases: bool) -> list[Clause]:
    groups: list[list[_Unit]] = []
    index = 0
    while index < len(positive):
        unit = positive[index]
        # The longest run of plain words that is a known phrase ("new psychoactive substances").
        span = 1
        if join_phrases and not unit.quoted:
            for length in range(min(synonyms.longest, len(positive) - index), 1, -1):
                run = positive[index : index + length]
                if any(u.quoted or u.joined_by_or for u in run[1:]) or any(u.quoted for u in run):
                    continue
                phrase = tuple(word for u in run for word in u.words)
                if synonyms.get(phrase):
                    span = length
                    break
        merged = _Unit(
            tuple(word for u in positive[index : index + span] for word in u.words),
            " ".join(u.raw for u in positive[index : index + span]),
            quoted=unit.quoted,
            joined_by_or=unit.joined_by_or,
            known_phrase=span > 1,
        )
        if merged.joined_by_or and groups:
            groups[-1].append(merged)
        else:
            groups.append([merged])
        index += span

    clauses = []
    for group in groups:
        alternatives: list[Alternative] = []
        for unit in group:
            # "who" is a stop word; typed in capitals it is the World Health Organization.
            acronym_only = unit.raw == "WHO"
            if not _meaningful(unit.words) and not acronym_only:
                continue
            if not acronym_only:
                # A known phrase is matched as it is known.
                prefix = not unit.quoted and not unit.known_phrase
                alternatives.append(Alternative(unit.words, prefix=prefix))
            if unit.quoted:
                continue
            for expansion in sorted(synonyms.get(unit.words)):
                if _meaningful(expansion):
                    alternatives.append(Alternative(expansion, typed=False))
            if speller and len(unit.words) == 1 and not synonyms.get(unit.words):
                correction = speller(unit.words[0])
                if correction and correction != unit.words[0]:
                    corrections[unit.raw] = correction
                    alternatives.append(Alternative((correction,), prefix=True, typed=False))
                    for expansion in sorted(synonyms.get((correction,))):
                        alternatives.append(Alternative(expansion, typed=False))
        if alternatives:
            clauses.append(Clause(alternatives, quoted=group[0].quoted))
    return clauses
