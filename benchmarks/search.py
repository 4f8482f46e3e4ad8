"""Time search, filters and pages on synthetic catalogues of growing size.

``python -m benchmarks.search [--sizes 1000,10000,100000] [--requests 40] [--keep] [--reuse]
[--seed 1] [--no-progress]`` (``make bench``). Runs against a throw-away ``<database>_bench``
database on the same server (dropped at the end unless ``--keep``); the real catalogue is never
touched. See ``benchmarks/support.py``.

Everything is measured through the pages (Django's test client) and ``Initiative.objects``, never
through the search modules' internals, so the benchmark keeps working while they change.
"""

import argparse
import logging
import random
import re
import sys
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import connection, transaction
from django.test import Client, override_settings

from benchmarks import support
from benchmarks.support import style
from initiatives.models import Initiative
from initiatives.seeding.loader import load_seed_file

DEFAULT_SIZES = "1000,10000,100000"
WARMUP = 3
SEARCH_QUERIES = [
    "precursor disposal",
    "naloxone",
    "early warning Americas",
    "forensic laboratory training",
    "NPS",
    "fentanil",
    "postal courier",
    "alternatives to incarceration",
    "wastewater",
    "CICAD",
]
FILTERS = [
    {"group": "1.1", "organization": "UNODC"},
    {"group": "2.1"},
    {"organization": "INCB"},
    {"group": "3.2", "organization": "none"},
    {"working_group": "2"},
    {"group": ["1.2", "2.2"], "organization": "WCO"},
    {"group": "3.3", "organization": "OAS/CICAD"},
    {"organization": "WHO", "working_group": "3"},
    {"group": "3.1", "organization": "none"},
]
FILTERED_SEARCHES = [
    {"q": "precursor", "group": "1.1"},
    {"q": "naloxone", "organization": "WHO"},
    {"q": "early warning", "working_group": "2"},
    {"q": "treatment", "group": "3.2", "organization": "UNODC"},
    {"q": "training", "organization": "none"},
]
DETAIL_SAMPLE = 20
PROFILE_QUERIES = ["precursor disposal", "naloxone", "NPS"]
EXPLAIN_QUERY = "precursor disposal"
# The targets for the search page's p95, by catalogue size.
SEARCH_TARGETS_P95_MS = {10_000: 30, 100_000: 100}
INDEX_IN_PLAN = re.compile(r"(?:Index Scan|Index Only Scan|Bitmap Index Scan) (?:using|on) (\S+)")


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"whole numbers separated by commas, not {text!r}"
        ) from error
    if not sizes or any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError("at least one positive size")
    return sorted(set(sizes))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.search",
        description="Benchmark search, filtered lists, detail pages and the API on synthetic "
        "catalogues of growing size, in a separate <database>_bench database.",
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=DEFAULT_SIZES,
        help=f"Catalogue sizes to measure, comma-separated (default {DEFAULT_SIZES}).",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=40,
        help=f"Timed requests per scenario and size (default 40), after {WARMUP} warm-up ones.",
    )
    parser.add_argument("--keep", action="store_true", help="Keep the bench database afterwards.")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Reuse a bench database kept by an earlier run (--keep) instead of a fresh one.",
    )
    parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
    parser.add_argument(
        "--no-progress", action="store_true", help="No progress bar while generating."
    )
    options = parser.parse_args(argv)
    if options.requests < 1:
        parser.error("--requests must be at least 1.")
    return options


def main(argv: list[str] | None = None) -> None:
    options = parse_args(argv)
    # One log line per request of the test client would bury the tables.
    logging.getLogger("catalogue.requests").setLevel(logging.WARNING)
    sizes = options.sizes
    rng = random.Random(options.seed)
    results: list[support.Measurement] = []
    # Production-like: no query log, errors answered as 500 pages, not raised.
    with (
        override_settings(DEBUG=False),
        support.bench_database(keep=options.keep, reuse=options.reuse) as name,
    ):
        print(f"Bench database: {name} (real catalogue untouched)")
        report = load_seed_file(settings.SEED_FILE)
        print(f"Seed file loaded: {report.summary()}")
        material = support.Material.from_catalogue()
        for size in sizes:
            started = time.perf_counter()
            added = support.grow_catalogue(size, material, rng, progress=not options.no_progress)
            support.analyze()
            total = Initiative.objects.count()
            print(
                f"{total:,} initiatives ({added:,} synthetic added, "
                f"{time.perf_counter() - started:.1f} s including VACUUM ANALYZE)"
            )
            if total > size:
                print(style.WARNING(f"  already above {size:,}"))
            measured = measure_size(total, options.requests, rng)
            write_table(measured)
            results += measured
        write_query_profile()
        write_plan()
        if options.keep:
            print(f"Kept the bench database {name}.")
    print(f"All sizes ({options.requests} timed requests per scenario, {WARMUP} warm-up):")
    write_table(results)
    write_verdict(results, max(sizes))


# --- scenarios --------------------------------------------------------------------------------


def measure_size(size: int, requests: int, rng: random.Random) -> list[support.Measurement]:
    client = Client(raise_request_exception=False)
    # Detail pages of the real initiatives: synthetic codes are not codes the site accepts
    # (they only fill the groups, so each real page's neighbours and related ones are many).
    real = list(
        Initiative.objects.published()
        .exclude(code__startswith=support.SYNTHETIC_PREFIX)
        .values_list("code", flat=True)
    )
    detail_codes = rng.sample(real, min(DETAIL_SAMPLE, len(real)))
    scenarios = {
        "search": [support.client_action(client, "/", {"q": q}) for q in SEARCH_QUERIES],
        "filtered list": [support.client_action(client, "/", data) for data in FILTERS],
        "filtered search": [support.client_action(client, "/", data) for data in FILTERED_SEARCHES],
        "detail": [support.client_action(client, f"/initiatives/{code}/") for code in detail_codes],
        "api search": [
            support.client_action(client, "/api/initiatives/", {"q": q}) for q in SEARCH_QUERIES
        ],
    }
    measured = []
    for scenario, actions in scenarios.items():
        result = support.measure(size, scenario, actions, WARMUP, requests)
        measured.append(result)
        for failure in dict.fromkeys(result.failures):
            print(style.ERROR(f"  {scenario}: {failure}"))
    return measured


# --- reports ----------------------------------------------------------------------------------


def write_table(results: list[support.Measurement]) -> None:
    rows = [
        [
            f"{r.size:,}",
            r.scenario,
            f"{r.p50:.1f}",
            f"{r.p95:.1f}",
            f"{r.mean:.1f}",
            str(len(r.timings_ms)),
            str(len(r.failures)),
        ]
        for r in results
    ]
    header = ["size", "scenario", "p50 ms", "p95 ms", "mean ms", "n", "failures"]
    print()
    for line in support.format_table(rows, header, right={0, 2, 3, 4, 5, 6}):
        print(line)
    print()


def profile_search_page(client: Client, query: str):
    """One search page, warmed first: (response, total ms, the QueryTimer of its SQL)."""
    client.get("/", {"q": query}, HTTP_HOST="127.0.0.1")  # warm
    timer = QueryTimer()
    with connection.execute_wrapper(timer):
        start = time.perf_counter()
        response = client.get("/", {"q": query}, HTTP_HOST="127.0.0.1")
        total = (time.perf_counter() - start) * 1000
    return response, total, timer


def write_query_profile() -> None:
    """The SQL one search page runs, with each query's time: where the time goes."""
    client = Client(raise_request_exception=False)
    print(f"SQL of one search page at {Initiative.objects.count():,} initiatives:")
    for query in PROFILE_QUERIES:
        response, total, timer = profile_search_page(client, query)
        sql_ms = sum(timed.ms for timed in timer.queries)
        print(
            f"  q={query!r}: {response.status_code}, {total:.1f} ms in all, "
            f"{len(timer.queries)} queries, {sql_ms:.1f} ms in SQL, "
            f"{total - sql_ms:.1f} ms in Python (views, templates)"
        )
        for timed in timer.queries:
            print(f"    {timed.ms:7.1f} ms  {timed.text[:110]}")
    print()


def write_plan() -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of a search page's slowest full-text query, and its indexes.

    The query is taken from the page as it is served (the slowest one with a full-text match,
    ``@@``, else the slowest of all), whatever the search code does; settings sent in the same
    message are applied first, in the same transaction, so the plan is the one the page got.
    """
    _, _, timer = profile_search_page(Client(raise_request_exception=False), EXPLAIN_QUERY)
    matching = [query for query in timer.queries if "@@" in query.sql] or timer.queries
    if not matching:
        print(style.WARNING(f"The search page for {EXPLAIN_QUERY!r} ran no query."))
        return
    slowest = max(matching, key=lambda query: query.ms)
    *before, statement = [part for part in slowest.sql.split(";") if part.strip()]
    if any("%s" in part for part in before):
        print(
            style.WARNING("The slowest query's message has parameters before its last statement.")
        )
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for part in before:
            cursor.execute(part)
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, slowest.params)
        lines = [row[0] for row in cursor.fetchall()]
    print(
        f"EXPLAIN (ANALYZE, BUFFERS) of the slowest full-text query of the search page for "
        f"{EXPLAIN_QUERY!r} ({slowest.ms:.1f} ms when served) at "
        f"{Initiative.objects.count():,} initiatives:"
    )
    print("  " + slowest.text[:300])
    for line in lines:
        print("  " + line)
    read = list(dict.fromkeys(INDEX_IN_PLAN.findall("\n".join(lines))))
    gin = [index.name for index in Initiative._meta.indexes if isinstance(index, GinIndex)]
    if read:
        print(f"Indexes the plan reads: {', '.join(read)}")
    else:
        print(style.WARNING("The plan reads no index (sequential scans only)."))
    used = sorted(set(gin) & set(read))
    if used:
        print(style.SUCCESS(f"It reads the GIN index {', '.join(used)}."))
    else:
        print(style.WARNING(f"It reads none of the GIN indexes ({', '.join(gin)})."))
    print()


def write_verdict(results: list[support.Measurement], largest: int) -> None:
    search = [r for r in results if r.scenario == "search" and r.size in SEARCH_TARGETS_P95_MS]
    failures = sum(len(r.failures) for r in results)
    if failures:
        print(style.ERROR(f"{failures} request(s) did not answer 200."))
    for result in search:
        target = SEARCH_TARGETS_P95_MS[result.size]
        verdict = style.SUCCESS("within") if result.p95 <= target else style.WARNING("ABOVE")
        print(
            f"Search p95 at {result.size:,} initiatives: {result.p95:.1f} ms, {verdict} "
            f"the {target} ms target."
        )


@dataclass
class TimedQuery:
    """One query a page ran: its wall time, its SQL and its parameters."""

    ms: float
    sql: str
    params: object

    @property
    def text(self) -> str:
        return " ".join(self.sql.split())


class QueryTimer:
    """An execute wrapper that records each query's wall time (fetching included)."""

    def __init__(self):
        self.queries: list[TimedQuery] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            self.queries.append(TimedQuery(elapsed, sql, None if many else params))


if __name__ == "__main__":
    sys.exit(support.run(main))
