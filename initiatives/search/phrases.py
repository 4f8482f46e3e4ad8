"""Phrases indexed as single words, so that matching one is an index probe, not a re-check.

The synonyms expand short queries into phrases of common words ("NPS" into "new psychoactive
substances" and "designer drugs"). Matched as phrases, these read the long posting lists of
"new", "substances" and "drugs" and re-check word positions in thousands of initiatives. So each
multi-word phrase of the synonyms and of the organizations' names is listed in ``SearchPhrase``,
and a database trigger (migration 0012) adds one word per listed phrase to every initiative that
holds it ("zzphrase12"), and another to search_head when the title or keywords hold it
("zzhead12"). A query then asks for that word instead of the phrase.

Rows of ``SearchPhrase`` are only ever added, in the same transaction that indexes the phrase in
every initiative holding it; so any phrase read from the table is fully indexed, and a phrase
not (yet) in it is simply matched as a phrase. Ranking and highlighting still use the phrases.
"""

import time

from django.db import connection, transaction

from .query import Alternative, Phrase, curated_synonyms, organization_synonyms
from .text import is_stop_word

TOKEN_PREFIX = "zzphrase"  # letters then digits: a 'numword' the english config leaves as is
HEAD_PREFIX = "zzhead"  # the same phrase, found in the title or keywords (search_head)
RECHECK_SECONDS = 60  # how long a process trusts its list before reading the table again

_known: dict[Phrase, str] = {}
_read_at = float("-inf")


def token(pk: int) -> str:
    return f"{TOKEN_PREFIX}{pk}"


def head_token(word: str) -> str:
    """The search_head word of the phrase whose search_vector word is ``word``."""
    return HEAD_PREFIX + word.removeprefix(TOKEN_PREFIX)


def known_tokens() -> dict[Phrase, str]:
    """Each indexed phrase's word. A list up to RECHECK_SECONDS old is safe: rows are never
    removed, and a phrase missing from it is matched as a phrase."""
    global _known, _read_at
    if time.monotonic() - _read_at > RECHECK_SECONDS:
        from ..models import SearchPhrase

        _known = {
            tuple(words.split()): token(pk)
            for pk, words in SearchPhrase.objects.values_list("pk", "words")
        }
        _read_at = time.monotonic()
    return _known


def forget_tokens() -> None:
    global _read_at
    _read_at = float("-inf")


def wanted_phrases(organizations) -> set[Phrase]:
    """Every multi-word phrase a query can be expanded into (or typed as a known phrase)."""
    table = curated_synonyms().merged(organization_synonyms(organizations))
    phrases = set(table.expansions)
    for expansions in table.expansions.values():
        phrases.update(expansions)
    return {
        phrase
        for phrase in phrases
        if len(phrase) > 1 and any(not is_stop_word(word) for word in phrase)
    }


def sync_phrases(organizations=None) -> int:
    """List the phrases not listed yet and index them in every initiative holding them.

    The initiatives table is locked against writes meanwhile (SHARE): an initiative written
    concurrently would otherwise be indexed without the phrase, by a trigger that could not
    yet see it listed.
    """
    from ..models import Initiative, Organization, SearchPhrase

    if organizations is None:
        organizations = Organization.objects.values_list("acronym", "name")
    listed = set(SearchPhrase.objects.values_list("words", flat=True))
    wanted = {" ".join(phrase) for phrase in wanted_phrases(organizations)}
    missing = sorted(wanted - listed)
    if not missing:
        return 0
    table = Initiative._meta.db_table
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN SHARE MODE')
        added = SearchPhrase.objects.bulk_create(
            [
                SearchPhrase(words=words, query=Alternative(tuple(words.split())).tsquery())
                for words in missing
            ],
            ignore_conflicts=True,
        )
        queries = " | ".join(phrase.query for phrase in added)
        with connection.cursor() as cursor:
            # Rewriting search_phrases makes the trigger recompute it from every listed phrase.
            cursor.execute(
                f'UPDATE "{table}" SET search_phrases = search_phrases '
                "WHERE search_vector @@ to_tsquery('english', %s)",
                [queries],
            )
    forget_tokens()
    return len(missing)
