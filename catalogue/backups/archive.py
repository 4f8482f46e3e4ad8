"""Writing, checking, listing and restoring backup files (pg_dump's custom format)."""

import os
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connections

from . import pg_tools

PREFIX = "catalogue-"
SUFFIX = ".dump"
# Named by UTC time, so that names sort in the order the backups were made.
TIME_FORMAT = "%Y%m%dT%H%M%S"
COMPRESSION = "6"


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    seconds: float
    pg_dump: pg_tools.Tool


def backups_in(directory: Path) -> list[Path]:
    """The backup files of a directory, oldest first."""
    return sorted(directory.glob(f"{PREFIX}*{SUFFIX}"))


def write_backup(directory: Path, alias: str = "default") -> Backup:
    """Dump the database into a new file of ``directory``: one consistent snapshot (pg_dump
    reads everything in one transaction), compressed. The file appears under its final name
    only once complete, so a failed or interrupted dump never looks like a backup."""
    tool = pg_tools.find("pg_dump", alias)
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    name = f"{PREFIX}{now.strftime(TIME_FORMAT)}.{now.microsecond // 1000:03d}Z{SUFFIX}"
    final = directory / name
    partial = directory / (name + ".partial")
    started = time.perf_counter()
    result = subprocess.run(
        [
            str(tool.path),
            "--format=custom",
            f"--compress={COMPRESSION}",
            f"--file={partial}",
        ],
        env=pg_tools.connection_env(alias),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise CommandError(f"pg_dump failed ({tool.path}): {result.stderr.strip()}")
    with open(partial, "rb") as written:
        os.fsync(written.fileno())
    partial.rename(final)
    return Backup(final, final.stat().st_size, time.perf_counter() - started, tool)


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest backups; returns what was deleted."""
    old = backups_in(directory)[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return old


def check_readable(path: Path, alias: str = "default") -> int:
    """Read the whole file as pg_restore would (its table of contents and every compressed
    data block), writing nothing anywhere; returns the number of entries. A damaged or
    truncated file raises a CommandError that names the problem."""
    if not path.is_file():
        raise CommandError(f"No backup file at {path}.")
    tool = pg_tools.find("pg_restore", alias)
    listing = subprocess.run([str(tool.path), "--list", str(path)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise CommandError(
            f"{path} is not a readable backup (pg_restore --list): {listing.stderr.strip()}"
        )
    entries = sum(1 for line in listing.stdout.splitlines() if line and not line.startswith(";"))
    full_read = subprocess.run(
        [str(tool.path), "--file=/dev/null", str(path)], capture_output=True, text=True
    )
    if full_read.returncode != 0 or "error:" in full_read.stderr:
        raise CommandError(
            f"{path} is damaged or incomplete (reading its data failed): {full_read.stderr.strip()}"
        )
    return entries


def restore(path: Path, alias: str = "default") -> float:
    """Replace the database's content with the backup's, in one transaction: any error rolls
    the whole restore back and the database stays as it was. Returns the seconds taken."""
    tool = pg_tools.find("pg_restore", alias)
    env = pg_tools.connection_env(alias)
    # pg_restore drops and recreates every table; this process's own connections must not
    # hold locks on them meanwhile.
    connections.close_all()
    started = time.perf_counter()
    result = subprocess.run(
        [
            str(tool.path),
            "--single-transaction",
            "--exit-on-error",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            f"--dbname={env['PGDATABASE']}",
            str(path),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise CommandError(
            f"Restore failed and was rolled back; the database is unchanged: "
            f"{result.stderr.strip()}"
        )
    return time.perf_counter() - started
