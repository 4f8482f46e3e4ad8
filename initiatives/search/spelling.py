"""Spelling suggestions from the catalogue's own vocabulary.

The vocabulary is every word of the published initiatives (titles, organizations, descriptions)
with the number of initiatives using it, read with PostgreSQL's ``ts_stat()`` once per catalogue
version and kept in Django's cache (``initiatives.derived``), so a staff edit reaches
suggestions at the next page.
"""

from bisect import bisect_left
from dataclasses import dataclass

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import F, TextField, Value
from django.db.models.functions import Concat
from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.process import extract

from .document import folded
from .text import is_stop_word

# ts_stat() reads a query's text and has no ORM form; the inner query is the ORM's.
VOCABULARY_SQL = "SELECT word, ndoc FROM ts_stat(%s) WHERE length(word) >= 3 AND word ~ '^[a-z]+$'"


@dataclass(frozen=True)
class Vocabulary:
    frequencies: dict[str, int]
    ordered: tuple[str, ...]

    @classmethod
    def from_counts(cls, counts: dict[str, int]) -> "Vocabulary":
        # Stop words are never suggested ("dogs" is not a misspelling of "does").
        counts = {word: n for word, n in counts.items() if not is_stop_word(word)}
        return cls(counts, tuple(sorted(counts)))

    def knows(self, word: str) -> bool:
        """The word, or a word it begins (searches match prefixes), is in the catalogue."""
        if word in self.frequencies:
            return True
        position = bisect_left(self.ordered, word)
        return position < len(self.ordered) and self.ordered[position].startswith(word)

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


def read_vocabulary(initiatives) -> Vocabulary:
    """The words of ``initiatives`` (a QuerySet), folded as the index folds them."""
    text = Concat(
        F("title"),
        Value(" "),
        F("search_keywords"),
        Value(" "),
        F("description"),
        output_field=TextField(),
    )
    documents = (
        initiatives.order_by()
        .annotate(words=SearchVector(folded(text), config="simple"))
        .values("words")
    )
    sql, params = documents.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(VOCABULARY_SQL, [connection.ops.compose_sql(sql, params)])
        return Vocabulary.from_counts(dict(cursor.fetchall()))
