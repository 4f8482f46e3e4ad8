"""What the benchmarks share: a throw-away database, synthetic initiatives, timing, tables.

Nothing here touches the real catalogue. The benchmark creates ``<NAME>_bench`` on the same
PostgreSQL server, points Django's default connection at it, grows it with synthetic initiatives
recombined from the real ones, and times the pages people use. Synthetic codes (``B000123``) do
not fit the catalogue's code constraints, so those are relaxed in the bench database only.
"""

import os
import random
import socket
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg
from django.core.management import call_command
from django.core.management.color import color_style
from django.db import connections
from psycopg import sql
from tqdm import tqdm

from initiatives.models import Initiative, Organization, SubWorkingGroup

BENCH_SUFFIX = "_bench"
BATCH_SIZE = 2_000
INSERT_WORKERS = 4  # at most; one per CPU
SYNTHETIC_PREFIX = "B"
LEAD_SHARE = 0.45  # the real catalogue: 54 of 118 have a lead organization
PARTNER_SHARE = 0.10  # a little more often than the real catalogue (6 of 118)
UNPUBLISHED_SHARE = 0.02
SYNTHETIC_EVIDENCE = "Synthetic benchmark initiative: organization attributed at random."
# Django-only keys of OPTIONS that libpq does not understand.
DJANGO_ONLY_OPTIONS = {"isolation_level", "server_side_binding", "assume_role", "pool"}
RELAXED_CONSTRAINTS = (
    "initiative_code_format",
    "initiative_number_format",
    "initiative_code_extends_number",
)

# SUCCESS, WARNING and ERROR colours, as management commands print them (plain when not a tty).
style = color_style()


class BenchmarkError(Exception):
    """A benchmark cannot run: its message is printed and the process exits with status 1."""


def run(main: Callable[[], object]) -> int:
    """``main()``, with a BenchmarkError shown as a message: the exit status."""
    try:
        main()
    except BenchmarkError as error:
        print(style.ERROR(f"Error: {error}"), file=sys.stderr)
        return 1
    return 0


# --- the bench database ----------------------------------------------------------------------


def server_params(settings_dict: dict, dbname: str) -> dict:
    """psycopg.connect() arguments for ``dbname`` on the server of a Django database."""
    params = {
        key: value
        for key, value in (settings_dict.get("OPTIONS") or {}).items()
        if key not in DJANGO_ONLY_OPTIONS
    }
    for key, django_key in (("user", "USER"), ("password", "PASSWORD"), ("host", "HOST")):
        if settings_dict.get(django_key):
            params[key] = settings_dict[django_key]
    if settings_dict.get("PORT"):
        params["port"] = str(settings_dict["PORT"])
    params["dbname"] = dbname
    return params


@contextmanager
def _maintenance(settings_dict: dict) -> Iterator[psycopg.Connection]:
    """An autocommit connection to the server's maintenance database."""
    last_error = None
    for dbname in ("postgres", "template1"):
        try:
            conn = psycopg.connect(**server_params(settings_dict, dbname), autocommit=True)
        except psycopg.OperationalError as error:
            last_error = error
            continue
        with conn:
            yield conn
        return
    raise last_error


def recreate_database(settings_dict: dict, name: str) -> None:
    with _maintenance(settings_dict) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(settings_dict: dict, name: str) -> None:
    with _maintenance(settings_dict) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def database_exists(settings_dict: dict, name: str) -> bool:
    with _maintenance(settings_dict) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


@contextmanager
def bench_database(keep: bool = False, reuse: bool = False) -> Iterator[str]:
    """Point Django's default connection at a fresh ``<NAME>_bench`` database, migrated.

    With ``reuse``, a bench database kept by an earlier run is migrated and grown instead (to
    compare changes on the same synthetic catalogue without generating it again). The
    connection is pointed back at the real database afterwards, and the bench database is
    dropped unless ``keep``.
    """
    connection = connections["default"]
    settings_dict = connection.settings_dict
    real_name = settings_dict["NAME"]
    bench_name = real_name + BENCH_SUFFIX
    connection.close()
    if not (reuse and database_exists(settings_dict, bench_name)):
        recreate_database(settings_dict, bench_name)
    settings_dict["NAME"] = bench_name
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            (current,) = cursor.fetchone()
        if current != bench_name:  # never write to anything but the bench database
            raise BenchmarkError(f"connected to {current!r}, expected {bench_name!r}")
        call_command("migrate", verbosity=0, interactive=False)
        relax_code_constraints()
        yield bench_name
    finally:
        connection.close()
        settings_dict["NAME"] = real_name
        if not keep:
            drop_database(settings_dict, bench_name)


def relax_code_constraints() -> None:
    """Let synthetic codes (B000123) in: in the bench database only."""
    table = Initiative._meta.db_table
    with connections["default"].cursor() as cursor:
        for name in RELAXED_CONSTRAINTS:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}"')
        cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "code" TYPE varchar(12)')


def analyze() -> None:
    """What autovacuum would have done by the time people search: statistics, visibility map
    and an empty GIN pending list, so the timings do not depend on when it last ran."""
    through = Initiative.partner_organizations.through._meta.db_table
    with connections["default"].cursor() as cursor:
        for table in (Initiative._meta.db_table, through):
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')
        cursor.execute("ANALYZE")


# --- synthetic initiatives -------------------------------------------------------------------


@dataclass
class Material:
    """The real catalogue, cut into pieces to recombine."""

    title_words: list[list[str]]
    paragraphs: list[str]
    groups: list[SubWorkingGroup]
    organizations: list[Organization]

    @classmethod
    def from_catalogue(cls) -> "Material":
        titles, paragraphs = [], []
        for title, description in Initiative.objects.values_list("title", "description"):
            titles.append(title.split())
            paragraphs += [line for line in description.split("\n") if line.strip()]
        return cls(
            title_words=[words for words in titles if len(words) >= 2],
            paragraphs=paragraphs,
            groups=list(SubWorkingGroup.objects.all()),
            organizations=list(Organization.objects.all()),
        )


def synthetic_code(serial: int) -> str:
    return f"{SYNTHETIC_PREFIX}{serial:06d}"


def _title(material: Material, rng: random.Random) -> str:
    """The start of one real title and the end of another."""
    first, second = rng.sample(material.title_words, 2)
    head = first[: rng.randint(1, max(1, (len(first) + 1) // 2))]
    tail = second[rng.randint(1, len(second) - 1) :]
    return " ".join(head + tail).strip(" ,;:") or " ".join(first)


def keywords(code, number, group, organizations) -> str:
    """The same string ``search.document.keywords_for`` builds for a saved initiative."""
    parts = [code, number, group.code, group.name]
    for organization in organizations:
        parts += [organization.acronym, organization.name]
    return " ".join(dict.fromkeys(part for part in parts if part))


def synthetic_initiative(
    serial: int, material: Material, rng: random.Random
) -> tuple[Initiative, list[Organization]]:
    """One unsaved synthetic initiative and its partner organizations."""
    group = rng.choice(material.groups)
    code = synthetic_code(serial)
    number = f"{group.code_prefix}{serial % 100:02d}"
    lead = rng.choice(material.organizations) if rng.random() < LEAD_SHARE else None
    partners = []
    if rng.random() < PARTNER_SHARE:
        others = [org for org in material.organizations if org != lead]
        partners = rng.sample(others, rng.randint(1, 3))
    attributed = [lead] if lead else []
    initiative = Initiative(
        code=code,
        number=number,
        sub_working_group=group,
        title=_title(material, rng),
        description="\n".join(rng.sample(material.paragraphs, rng.randint(1, 4))),
        lead_organization=lead,
        attribution_evidence=SYNTHETIC_EVIDENCE if lead or partners else "",
        is_published=rng.random() >= UNPUBLISHED_SHARE,
        search_keywords=keywords(code, number, group, attributed + partners),
    )
    return initiative, partners


def _insert(pairs: list[tuple[Initiative, list[Organization]]]) -> None:
    """Insert one batch and its partner rows (in a worker thread, on its own connection)."""
    Through = Initiative.partner_organizations.through
    try:
        created = Initiative.objects.bulk_create([initiative for initiative, _ in pairs])
        Through.objects.bulk_create(
            [
                Through(initiative_id=initiative.pk, organization_id=organization.pk)
                for initiative, (_, partners) in zip(created, pairs, strict=True)
                for organization in partners
            ],
            batch_size=BATCH_SIZE,
        )
    finally:
        connections["default"].close()


def grow_catalogue(
    target: int, material: Material, rng: random.Random, progress: bool = True
) -> int:
    """Add synthetic initiatives until the catalogue holds ``target``; return how many.

    Batches are generated here (so the same seed gives the same catalogue) and inserted by one
    thread per CPU: computing the generated ``search_vector`` is the PostgreSQL server's work,
    about 1 ms per initiative, and two connections halve it on two cores.
    """
    existing = Initiative.objects.count()
    missing = target - existing
    if missing <= 0:
        return 0
    # Synthetic codes are numbered from 1, in the order they were generated.
    serial = Initiative.objects.filter(code__startswith=SYNTHETIC_PREFIX).count() + 1
    workers = max(1, min(INSERT_WORKERS, os.cpu_count() or 1))
    with (
        tqdm(
            total=missing, unit=" initiatives", desc=f"growing to {target:,}", disable=not progress
        ) as bar,
        ThreadPoolExecutor(max_workers=workers) as pool,
    ):
        pending = set()
        while missing > 0:
            batch = min(BATCH_SIZE, missing)
            pairs = [synthetic_initiative(serial + i, material, rng) for i in range(batch)]
            serial += batch
            missing -= batch
            if len(pending) >= 2 * workers:  # generate ahead, but not the whole catalogue
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    bar.update(future.result())
            pending.add(pool.submit(lambda pairs=pairs: _insert(pairs) or len(pairs)))
        for future in pending:
            bar.update(future.result())
    return target - existing


# --- timing ----------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Linear interpolation between the closest ranks (share between 0 and 1)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Measurement:
    size: int
    scenario: str
    timings_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return percentile(self.timings_ms, 0.50)

    @property
    def p95(self) -> float:
        return percentile(self.timings_ms, 0.95)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.timings_ms) if self.timings_ms else float("nan")


# An action runs one request (or call) untimed-setup-included and returns
# (elapsed seconds of the timed part, failure message or None).
Action = Callable[[], tuple[float, str | None]]


def measure(
    size: int, scenario: str, actions: list[Action], warmup: int, timed: int
) -> Measurement:
    """Run ``warmup`` then ``timed`` actions, cycling through ``actions``."""
    result = Measurement(size, scenario)
    for index in range(warmup + timed):
        elapsed, failure = actions[index % len(actions)]()
        if index < warmup:
            continue
        result.timings_ms.append(elapsed * 1000)
        if failure:
            result.failures.append(failure)
    return result


def client_action(client, path: str, data: dict | None = None) -> Action:
    """GET ``path`` with the test client; anything but 200 is a failure."""

    def run() -> tuple[float, str | None]:
        start = time.perf_counter()
        response = client.get(path, data or {}, HTTP_HOST="127.0.0.1")
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            shown = path + ("?" + "&".join(f"{k}={v}" for k, v in data.items()) if data else "")
            return elapsed, f"{shown} -> {response.status_code}"
        return elapsed, None

    return run


def format_table(rows: list[list[str]], header: list[str], right: set[int]) -> list[str]:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(row):
        cells = [
            str(cell).rjust(width) if i in right else str(cell).ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return " | ".join(cells).rstrip()

    rule = "-+-".join("-" * width for width in widths)
    return [line(header), rule, *(line(row) for row in rows)]


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]
