"""Spelling suggestions and prefix completions from the catalogue's own vocabulary.

The vocabulary is every word of the published initiatives (titles, organizations, descriptions)
with the number of initiatives using it and its stem in the index, kept by triggers in
PostgreSQL (``models.SearchWord``). Each process reads it once per catalogue version
(``derived``), so a staff edit reaches suggestions, and prefixes (matched as the stems they
begin: see ``completions``), at the next page.
"""

from bisect import bisect_left
from dataclasses import dataclass

from django.db import connection, transaction
from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.process import extract

from .. import derived
from .text import is_stop_word

# Folds the changes the triggers recorded (migration 0013) into the vocabulary's table; one
# process at a time (the others read the changes as they are), in word order, briefly.
FOLD_LOCK = 0x766F6361  # an advisory lock key of this app's own
FOLD_SQL = """
WITH folded AS (DELETE FROM initiatives_searchwordchange RETURNING word, change)
INSERT INTO initiatives_searchword AS known (word, documents, stem)
SELECT word, sum(change), coalesce((ts_lexize('english_stem', word))[1], '')
FROM folded GROUP BY word ORDER BY word
ON CONFLICT (word) DO UPDATE SET documents = known.documents + EXCLUDED.documents
"""
# Each word with how many published initiatives use it and its stem in the index (NULL for
# PostgreSQL's stop words), changes not folded yet included.
VOCABULARY_SQL = """
SELECT word, sum(documents)::int, max(stem) FROM (
    SELECT word, documents, nullif(stem, '') AS stem FROM initiatives_searchword
    UNION ALL
    SELECT word, change, (ts_lexize('english_stem', word))[1] FROM initiatives_searchwordchange
) words GROUP BY word HAVING sum(documents) > 0
"""
STEMS_SQL = "SELECT word, (ts_lexize('english_stem', word))[1] FROM unnest(%s::text[]) AS word"
# A prefix whose stem begins more stems than this is matched as a prefix ("pre", "con").
MOST_COMPLETIONS = 24


@dataclass(frozen=True)
class Vocabulary:
    frequencies: dict[str, int]
    ordered: tuple[str, ...]
    # (stem, word) for one word of each stem in the index, in order: for ``completions``.
    stems: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_counts(cls, counts: dict[str, int], stems: dict[str, str] | None = None):
        stems = {word: stem for word, stem in (stems or {}).items() if stem}
        by_stem = dict(sorted((stem, word) for word, stem in stems.items()))
        # Stop words are never suggested ("dogs" is not a misspelling of "does").
        counts = {word: n for word, n in counts.items() if not is_stop_word(word)}
        return cls(counts, tuple(sorted(counts)), tuple(by_stem.items()))

    def knows(self, word: str) -> bool:
        """The word, or a word it begins (searches match prefixes), is in the catalogue."""
        if word in self.frequencies:
            return True
        position = bisect_left(self.ordered, word)
        return position < len(self.ordered) and self.ordered[position].startswith(word)

    def completions(self, stem: str, most: int = MOST_COMPLETIONS) -> tuple[str, ...] | None:
        """A known word for each stem in the index that begins with ``stem`` (what the prefix
        ``stem:*`` matches), or None when there are more than ``most``."""
        if len(stem) < 3:
            return None
        start = bisect_left(self.stems, (stem,))
        found = tuple(
            word for known, word in self.stems[start : start + most + 1] if known.startswith(stem)
        )
        return found if len(found) <= most else None

    def suggest(self, word: str) -> str | None:
        """The closest known word: at most 1 edit for short words, 2 for longer ones."""
        if len(word) < 4 or not word.isalpha() or is_stop_word(word) or self.knows(word):
            return None
        allowed = 1 if len(word) <= 5 else 2
        candidates = extract(
            word,
            self.ordered,
            scorer=DamerauLevenshtein.distance,
            score_cutoff=allowed,
            limit=10,
        )
        if not candidates:
            return None
        # Fewest edits first, then the word more initiatives use.
        best = min(candidates, key=lambda found: (found[1], -self.frequencies[found[0]], found[0]))
        return best[0]


def load_vocabulary() -> Vocabulary:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [FOLD_LOCK])
        if cursor.fetchone()[0]:
            cursor.execute(FOLD_SQL)
        cursor.execute(VOCABULARY_SQL)
        rows = cursor.fetchall()
    return Vocabulary.from_counts(
        {word: n for word, n, _ in rows}, {word: stem for word, _, stem in rows}
    )


def stems(words: list[str]) -> dict[str, str]:
    """The stems of ``words`` as the index makes them (none for a stop word), in one query
    (asked even for known words, so a page's queries do not depend on its words). Only words
    of letters: the vocabulary holds no others."""
    words = [word for word in words if word.isascii() and word.isalpha()]
    if not words:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(STEMS_SQL, [words])
        return {word: stem for word, stem in cursor.fetchall() if stem}


def current_vocabulary(version: str | None = None) -> Vocabulary:
    """The vocabulary of the catalogue ``version`` (read now when not given), read once per
    version in each process."""
    if version is None:
        version = derived.catalogue_version()
    return derived.kept("vocabulary", version, load_vocabulary)
