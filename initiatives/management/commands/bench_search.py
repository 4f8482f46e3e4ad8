"""Time search, filters, facets and pages on a synthetic catalogue of growing size.

Runs against a throw-away ``<database>_bench`` database on the same server (dropped at the end
unless ``--keep``); the real catalogue is never touched. See ``initiatives/benchmark.py``.
"""

import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.http import QueryDict
from django.test import Client, override_settings

from initiatives import benchmark, derived
from initiatives.facets import facet_options
from initiatives.filters import FilterChoices, InitiativeFilter
from initiatives.listing import search_rows
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
FACET_QUERIES = [
    "q=precursor&group=1.1",
    "q=naloxone",
    "group=2.1&organization=UNODC",
    "q=early+warning&working_group=2",
    "organization=none",
]
REAL_DETAIL_CODES = ["1101", "2101", "3101"]
DETAIL_SAMPLE = 20
PROFILE_QUERIES = ["precursor disposal", "naloxone", "NPS"]
EXPLAIN_QUERY = "q=precursor+disposal"
GIN_INDEX = "initiative_search_gin"
SEARCH_TARGET_P95_MS = 50


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise CommandError(
            f"--sizes must be whole numbers separated by commas: {text!r}"
        ) from error
    if not sizes or any(size < 1 for size in sizes):
        raise CommandError("--sizes must list at least one positive size.")
    return sorted(set(sizes))


class Command(BaseCommand):
    help = (
        "Benchmark search, filtered lists, facet counts, detail pages and the API on synthetic "
        "catalogues of growing size, in a separate <database>_bench database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes",
            default=DEFAULT_SIZES,
            help=f"Catalogue sizes to measure, comma-separated (default {DEFAULT_SIZES}).",
        )
        parser.add_argument(
            "--requests",
            type=int,
            default=40,
            help="Timed requests per scenario and size (default 40), after 3 warm-up ones.",
        )
        parser.add_argument(
            "--keep", action="store_true", help="Keep the bench database afterwards."
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="Reuse a bench database kept by an earlier run (--keep) instead of a fresh one.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar while generating."
        )

    def handle(self, *args, sizes, requests, keep, reuse, seed, no_progress, **options):
        sizes = parse_sizes(sizes)
        if requests < 1:
            raise CommandError("--requests must be at least 1.")
        rng = random.Random(seed)
        results: list[benchmark.Measurement] = []
        # Production-like: no query log, errors answered as 500 pages, not raised.
        with (
            override_settings(DEBUG=False),
            benchmark.bench_database(keep=keep, reuse=reuse) as name,
        ):
            self.stdout.write(f"Bench database: {name} (real catalogue untouched)")
            report = load_seed_file(settings.SEED_FILE)
            self.stdout.write(f"Seed file loaded: {report.summary()}")
            material = benchmark.Material.from_catalogue()
            for size in sizes:
                started = time.perf_counter()
                added = benchmark.grow_catalogue(size, material, rng, progress=not no_progress)
                benchmark.analyze()
                derived.forget()  # read again in the warm-up, not timed
                total = Initiative.objects.count()
                self.stdout.write(
                    f"{total:,} initiatives ({added:,} synthetic added, "
                    f"{time.perf_counter() - started:.1f} s including VACUUM ANALYZE)"
                )
                if total > size:
                    self.stdout.write(self.style.WARNING(f"  already above {size:,}"))
                measured = self.measure_size(total, requests, rng)
                self.write_table(measured)
                results += measured
            self.write_query_profile()
            self.write_gin_evidence()
            if keep:
                self.stdout.write(f"Kept the bench database {name}.")
        self.stdout.write(f"All sizes ({requests} timed requests per scenario, {WARMUP} warm-up):")
        self.write_table(results)
        self.write_verdict(results, max(sizes))

    # --- scenarios --------------------------------------------------------------------------

    def measure_size(self, size: int, requests: int, rng: random.Random):
        client = Client(raise_request_exception=False)
        published = list(
            Initiative.objects.published()
            .filter(code__startswith=benchmark.SYNTHETIC_PREFIX)
            .values_list("code", flat=True)
        )
        real = list(
            Initiative.objects.published()
            .filter(code__in=REAL_DETAIL_CODES)
            .values_list("code", flat=True)
        )
        detail_codes = real + rng.sample(published, min(DETAIL_SAMPLE, len(published)))
        scenarios = {
            "search": [benchmark.client_action(client, "/", {"q": q}) for q in SEARCH_QUERIES],
            "filtered list": [benchmark.client_action(client, "/", data) for data in FILTERS],
            "facet counts": [facet_action(query) for query in FACET_QUERIES],
            "detail": [
                benchmark.client_action(client, f"/initiatives/{code}/") for code in detail_codes
            ],
            "api search": [
                benchmark.client_action(client, "/api/initiatives/", {"q": q})
                for q in SEARCH_QUERIES
            ],
        }
        measured = []
        for scenario, actions in scenarios.items():
            result = benchmark.measure(size, scenario, actions, WARMUP, requests)
            measured.append(result)
            for failure in dict.fromkeys(result.failures):
                self.stdout.write(self.style.ERROR(f"  {scenario}: {failure}"))
        return measured

    # --- reports ----------------------------------------------------------------------------

    def write_table(self, results):
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
        self.stdout.write("")
        for line in benchmark.format_table(rows, header, right={0, 2, 3, 4, 5, 6}):
            self.stdout.write(line)
        self.stdout.write("")

    def write_query_profile(self):
        """The SQL one search page runs, with each query's time: where the time goes."""
        client = Client(raise_request_exception=False)
        self.stdout.write(f"SQL of one search page at {Initiative.objects.count():,} initiatives:")
        for query in PROFILE_QUERIES:
            client.get("/", {"q": query}, HTTP_HOST="127.0.0.1")  # warm
            timer = QueryTimer()
            with connection.execute_wrapper(timer):
                start = time.perf_counter()
                response = client.get("/", {"q": query}, HTTP_HOST="127.0.0.1")
                total = (time.perf_counter() - start) * 1000
            sql_ms = sum(ms for ms, _ in timer.queries)
            self.stdout.write(
                f"  q={query!r}: {response.status_code}, {total:.1f} ms in all, "
                f"{len(timer.queries)} queries, {sql_ms:.1f} ms in SQL, "
                f"{total - sql_ms:.1f} ms in Python (views, templates)"
            )
            for ms, text in timer.queries:
                self.stdout.write(f"    {ms:7.1f} ms  {text[:110]}")
        self.stdout.write("")

    def write_gin_evidence(self):
        filterset = InitiativeFilter(QueryDict(EXPLAIN_QUERY), choices=FilterChoices.load())
        plan = search_rows(filterset).explain(analyze=True, buffers=True)
        lines = plan.splitlines()
        using = [line for line in lines if GIN_INDEX in line]
        self.stdout.write(
            f"EXPLAIN (ANALYZE, BUFFERS) of the search page's results query for "
            f"{EXPLAIN_QUERY!r} at {Initiative.objects.count():,} initiatives:"
        )
        for line in lines:
            self.stdout.write("  " + line)
        if using:
            self.stdout.write(self.style.SUCCESS(f"The plan uses {GIN_INDEX}:"))
            for line in using:
                self.stdout.write("  " + line.strip())
        else:
            self.stdout.write(self.style.ERROR(f"The plan does NOT mention {GIN_INDEX}."))
        self.stdout.write("")

    def write_verdict(self, results, largest: int):
        search = [r for r in results if r.scenario == "search" and r.size >= largest]
        failures = sum(len(r.failures) for r in results)
        if failures:
            self.stdout.write(self.style.ERROR(f"{failures} request(s) did not answer 200."))
        for result in search:
            verdict = (
                self.style.SUCCESS("within")
                if result.p95 <= SEARCH_TARGET_P95_MS
                else self.style.WARNING("ABOVE")
            )
            self.stdout.write(
                f"Search p95 at {result.size:,} initiatives: {result.p95:.1f} ms, {verdict} "
                f"the {SEARCH_TARGET_P95_MS} ms target."
            )


class QueryTimer:
    """An execute wrapper that records each query's wall time (fetching included)."""

    def __init__(self):
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            self.queries.append((elapsed, " ".join(sql.split())))


def facet_action(query_string: str) -> benchmark.Action:
    """Run the filter (and its search) untimed, then time facet_options() alone."""

    def run():
        filterset = InitiativeFilter(QueryDict(query_string), choices=FilterChoices.load())
        list(filterset.qs[:120])  # runs the search, as the page does; its page of results
        start = time.perf_counter()
        try:
            facet_options(filterset)
        except Exception as error:  # counted and shown as a failure, like a 500 page
            return time.perf_counter() - start, f"{query_string}: {error!r}"
        return time.perf_counter() - start, None

    return run
