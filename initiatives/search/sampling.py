"""Searches that match very many initiatives: counts estimated from a bounded sample.

An exact count and exact facet counts visit every match. On a catalogue of 100,000, a broad
search ("NPS", "CICAD") matches 10,000 to 25,000 initiatives, and visiting them all takes
longer than a page should. So beyond ``EXHAUSTIVE_LIMIT`` matches, the list page reads only the
first ``EXHAUSTIVE_LIMIT + 1`` matches in the table's physical order (the order in which the GIN
bitmap scan returns them) and scales up by the share of the table's rows stored up to the last
match read. The page shows such counts as "about". The real catalogue, far below the limit, is
always counted exactly.

The best results are picked among the initiatives whose title or keywords match every clause,
through their own index (``search_head``), and ranked in full; see ``best_matches``.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from .. import derived
from . import engine
from .document import SEARCH_CONFIG

# Matches counted exactly; beyond, counts are estimated. At least engine.RANK_DEPTH, so that the
# sample always holds enough matches to fill the best results.
EXHAUSTIVE_LIMIT = 500
HEAD_LIMIT = 1_000  # title-and-keyword matches read to pick the best results
_BLOCK = "_block"
_BLOCK_SQL = '("{table}".ctid::text::point)[0]::bigint'
# Reads of matches go through the GIN indexes' bitmaps (see _fetch).
BITMAP_ONLY = ("enable_seqscan", "enable_indexscan")


@dataclass
class Sample:
    rows: list[tuple]  # the requested fields of the first matches (code last), physical order
    scale: float  # estimated matches per sampled one

    @property
    def estimate(self) -> int:
        return max(len(self.rows), round_estimate(len(self.rows) * self.scale))

    def scaled(self, count: int) -> int:
        return round_estimate(count * self.scale) if count else 0


def round_estimate(value: float) -> int:
    """Two significant figures: an estimate should not look more precise than it is."""
    value = round(value)
    if value < 100:
        return value
    magnitude = 10 ** (len(str(value)) - 2)
    return round(value / magnitude) * magnitude


def share_read(model, last_block: int, version: str | None = None) -> float:
    """The share of the table's rows stored up to ``last_block``, included.

    Counted in rows, not blocks: after many updates, pages of dead rows (at the end, or
    anywhere) would make a share of blocks say little about the share of initiatives. The rows
    of every block are counted once per catalogue ``version`` (any write changes it).
    """
    table = model._meta.db_table
    spread = derived.kept(f"rows by block of {table}", version, lambda: _rows_by_block(table))
    if not spread:
        return 1.0
    before = spread[min(last_block, len(spread) - 1)]
    return before / max(spread[-1], 1)


def _rows_by_block(table: str) -> list[int]:
    """How many rows the table holds up to each of its blocks, included."""
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT ({_BLOCK_SQL.format(table=table)}), count(*) FROM "{table}" GROUP BY 1'
        )
        counts = dict(cursor.fetchall())
    last = max(counts, default=-1)
    return list(accumulate(counts.get(block, 0) for block in range(last + 1)))


def sample_matches(
    queryset: QuerySet, fields: tuple[str, ...], limit: int, version: str | None = None
) -> Sample | None:
    """The first ``limit + 1`` matches, or None when there are no more than ``limit`` (count
    them exactly) or when they did not come in physical order (a plan through another index:
    the blocks then say nothing about the share read). ``version``: the catalogue's."""
    table = queryset.model._meta.db_table
    block = RawSQL(_BLOCK_SQL.format(table=table), [])
    rows = _fetch(
        queryset.order_by()
        .annotate(**{_BLOCK: block})
        .values_list(*fields, "code", _BLOCK)[: limit + 1]
    )
    if len(rows) <= limit:
        return None
    blocks = [row[-1] for row in rows]
    if any(later < earlier for earlier, later in zip(blocks, blocks[1:], strict=False)):
        return None
    share = share_read(queryset.model, blocks[-1], version)
    return Sample([row[:-1] for row in rows], 1 / share)


def _fetch(queryset: QuerySet, outer: str = "{inner}", before=(), after=()) -> list[tuple]:
    """The rows as the driver returns them: these columns (ids, codes, floats, arrays of text)
    need no conversion, and Django's per-row work cost more than the query for a sample.
    ``outer``: SQL around the queryset's (at ``{inner}``), with parameters ``before`` and
    ``after`` it.

    Read through bitmaps only, neither a sequential scan nor a plain index scan. For a broad
    search with a LIMIT, the planner prefers reading rows in some order until enough match, as
    each match looks cheap to check; but checking one means reading its search vector, stored
    out of line: up to 31 ms for the first 501 matches at 100,000 initiatives in table order,
    34 ms in the order of a b-tree index on published initiatives, where the GIN index's bitmap
    gave them in 9 ms (and in physical order, which the sample needs).
    """
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # .none(): nothing to ask the database
        return []
    sql = outer.replace("{inner}", sql)
    params = [*before, *params, *after]
    with connection.cursor() as cursor:
        if connection.get_autocommit():
            # All statements in one message: PostgreSQL runs them as one transaction, which
            # the settings end with (no BEGIN, SET and COMMIT round trips).
            settings = "".join(f"SET LOCAL {name} = off; " for name in BITMAP_ONLY)
            cursor.execute(f"{settings}{sql}", params)
            for _ in BITMAP_ONLY:
                cursor.nextset()
            return cursor.fetchall()
        with bitmap_reads():
            cursor.execute(sql, params)
            return cursor.fetchall()


@contextmanager
def bitmap_reads():
    """Queries within read through bitmaps only, as ``_fetch`` does (for several queries, or
    within a transaction). The settings last until the block ends: as they were after it, and
    undone with the rest by a rollback if it fails."""
    with transaction.atomic(), connection.cursor() as cursor:
        previous = _set(cursor, dict.fromkeys(BITMAP_ONLY, "off"))
        yield
        _set(cursor, previous)


def _set(cursor, settings: dict[str, str]) -> dict[str, str]:
    """Planner settings until the end of the transaction, in one statement; returns the
    values they replace (read first: the outer select reads the CTE's row, then sets)."""
    cursor.execute(
        "WITH previous AS MATERIALIZED (SELECT "
        + ", ".join("current_setting(%s)" for _ in settings)
        + ") SELECT previous.*, "
        + ", ".join("set_config(%s, %s, true)" for _ in settings)
        + " FROM previous",
        [*settings, *(value for pair in settings.items() for value in pair)],
    )
    return dict(zip(settings, cursor.fetchone()[: len(settings)], strict=True))


def _rank_sql(tsquery: str) -> tuple[str, list]:
    """``engine.relevance("search_vector", ...)`` of the initiatives ``i``, as SQL."""
    return (
        "ts_rank((%s)::float4[], i.search_vector, to_tsquery(%s::regconfig, %s), %s)",
        [engine.RANK_WEIGHTS, SEARCH_CONFIG, tsquery, engine.RANK_NORMALIZATION],
    )


@dataclass
class Candidates:
    """The best matches, ranked in full, and whether they are exactly those of the full order."""

    ids: list[int]
    exact: bool


def best_matches(outcome, filtered: QuerySet, sample: Sample, depth: int) -> Candidates:
    """The ``depth`` best matches, in the list page's relevance order.

    The full order puts matches in titles and keywords first (by ``head_rank``, then code) and
    ranks its first ``depth`` with the whole vector. Here the title-and-keyword matches are read
    through their own index; when there are at least ``depth`` and at most ``HEAD_LIMIT`` of
    them, the result is exactly the full order's. ``filtered`` carries every filter but ``q``.
    """
    parsed = outcome.parsed
    query = engine.ts(parsed.all_tsquery)
    any_query = engine.ts(parsed.any_tsquery)
    # Initiatives whose title or keywords match every clause: they match the whole vector too
    # (search_head is its first part, positions included), unless a word excluded from the
    # title is in the description. (The full order's first pass also counts titles matching
    # some clauses; reading those would mean re-checking each against the whole vector.)
    heads = filtered.filter(search_head=engine.ts(parsed.head_tsquery))
    if parsed.excluded:
        heads = heads.filter(search_vector=query)
    head_rank = engine.relevance("search_head", any_query)
    heads = heads.order_by().annotate(head_rank=head_rank).values_list("pk", "code", "head_rank")
    rank = _rank_sql(parsed.any_tsquery)
    # One statement: the first HEAD_LIMIT + 1 title-and-keyword matches are read and counted;
    # the best ``depth`` of them by head_rank (then code) are ranked with the whole vector.
    top = _fetch(
        heads[: HEAD_LIMIT + 1],
        outer=(
            f"SELECT top.id, top.code, top.heads, {rank[0]} FROM ("
            "SELECT h.id, h.code, count(*) OVER () AS heads "
            "FROM ({inner}) AS h(id, code, head_rank) ORDER BY h.head_rank DESC, h.code LIMIT %s"
            f') AS top JOIN "{filtered.model._meta.db_table}" AS i ON i.id = top.id'
        ),
        before=rank[1],
        after=[depth],
    )
    head_count = top[0][2] if top else 0
    # Exact when the first pass's order is fully known: all title-and-keyword matches read,
    # and a one-clause query without phrases (ts_rank scores the words of a phrase even where
    # the phrase is not matched, so the first pass can then rank rows this query leaves out).
    plain = len(parsed.clauses) == 1 and "<" not in parsed.any_tsquery
    exact = plain and depth <= head_count <= HEAD_LIMIT
    ranked = [(score, code, pk) for pk, code, _, score in top]
    if len(ranked) < depth:  # few title matches: description matches follow, by code
        seen = {pk for *_, pk in ranked}
        rest = sorted((row[-1], row[0]) for row in sample.rows if row[0] not in seen)
        extra = [pk for _, pk in rest[: depth - len(ranked)]]
        ranked += (
            filtered.model.objects.with_ids(extra)
            .annotate(rank=engine.relevance("search_vector", any_query))
            .values_list("rank", "code", "pk")
        )
    order = sorted(ranked, key=lambda row: (-row[0], row[1]))
    return Candidates([pk for *_, pk in order], exact)
