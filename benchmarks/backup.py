"""How long a backup takes, and how big it is, on a synthetic catalogue of 100,000 initiatives.

``python -m benchmarks.backup [--size 100000] [--keep] [--reuse] [--seed 1] [--no-restore]``
(``make bench-backup``). Builds (or, with ``--reuse``, reuses) the throw-away ``<database>_bench``
database of ``benchmarks/support.py``, then runs ``manage.py backup_database`` against it, as
``make backup`` does, and times the whole command; then ``restore_database --yes`` of that file
into the same bench database. The real catalogue and its backups are never touched.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connections

from benchmarks import support
from initiatives.models import Initiative
from initiatives.registrations.models import Registration
from initiatives.seeding.loader import load_seed_file

ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.backup",
        description="Time backup_database (make backup) and restore_database on a synthetic "
        "catalogue, in a separate <database>_bench database.",
    )
    parser.add_argument("--size", type=int, default=100_000, help="Initiatives (default 100000).")
    parser.add_argument("--keep", action="store_true", help="Keep the bench database afterwards.")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Reuse a bench database kept by an earlier run (--keep) instead of a fresh one.",
    )
    parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
    parser.add_argument("--no-restore", action="store_true", help="Time the backup only.")
    parser.add_argument(
        "--no-progress", action="store_true", help="No progress bar while generating."
    )
    return parser.parse_args(argv)


def database_url(name: str) -> str:
    """DATABASE_URL of the bench database (the same server as the real one)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise support.BenchmarkError("DATABASE_URL is not set: run through `make bench-backup`.")
    return url.rsplit("/", 1)[0] + "/" + name


def timed_command(arguments: list[str], env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise support.BenchmarkError(f"{arguments[0]} failed: {result.stderr.strip()}")
    return seconds, result.stdout.strip()


def main(argv: list[str] | None = None) -> None:
    options = parse_args(argv)
    rng = random.Random(options.seed)
    with support.bench_database(keep=options.keep, reuse=options.reuse) as name:
        print(f"Bench database: {name} (real catalogue untouched)")
        if not Initiative.objects.exists():
            print(f"Seed file loaded: {load_seed_file(settings.SEED_FILE).summary()}")
        material = support.Material.from_catalogue()
        support.grow_catalogue(options.size, material, rng, progress=not options.no_progress)
        support.analyze()
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            (database_size,) = cursor.fetchone()
        print(
            f"{Initiative.objects.count():,} initiatives, {Registration.objects.count():,} "
            f"registrations; database size {database_size / 2**20:,.1f} MiB"
        )
        connections["default"].close()
        env = {**os.environ, "DATABASE_URL": database_url(name), "LOG_LEVEL": "WARNING"}
        with tempfile.TemporaryDirectory(prefix="bench-backup-") as directory:
            seconds, output = timed_command(["backup_database", "--dir", directory], env)
            (backup,) = Path(directory).glob("*.dump")
            size = backup.stat().st_size
            print(output)
            print(
                f"make backup (manage.py backup_database, whole command): {seconds:.1f} s, "
                f"file {size / 2**20:,.1f} MiB ({size:,} bytes; "
                f"{size / database_size:.0%} of the database's size on disk)"
            )
            if not options.no_restore:
                seconds, output = timed_command(["restore_database", str(backup), "--yes"], env)
                print(output)
                print(f"make restore (check, then restore in one transaction): {seconds:.1f} s")


if __name__ == "__main__":
    sys.exit(support.run(main))
