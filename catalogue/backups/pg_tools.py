"""The PostgreSQL client programs (pg_dump, pg_restore) that match the database server.

A dump must be made by a pg_dump at least as new as the server, and is best restored by the
same version. Candidates, in order: PG_BIN_DIR when set; the binaries of the embedded server
(the pgserver package, which the project runs when DATABASE_URL is unset); Debian's
per-version directory /usr/lib/postgresql/<major>/bin; then whatever is on PATH. The first whose
major version equals the server's is used; failing that, the newest one that is not older.
"""

import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connections

VERSION = re.compile(r"\(PostgreSQL\) (\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Tool:
    path: Path
    version: str
    major: int


def server_version(alias: str = "default") -> tuple[int, str]:
    """The server's major version and full version string ("16", "16.2")."""
    connection = connections[alias]
    connection.ensure_connection()
    number = connection.pg_version  # e.g. 160002
    major = number // 10000
    return major, f"{major}.{number % 10000}"


def _candidates(name: str, server_major: int) -> list[Path]:
    found = []
    if os.environ.get("PG_BIN_DIR"):
        found.append(Path(os.environ["PG_BIN_DIR"]) / name)
    # Located without importing pgserver (whose import has side effects of its own).
    pgserver = importlib.util.find_spec("pgserver")
    if pgserver is not None and pgserver.origin:
        found.append(Path(pgserver.origin).parent / "pginstall" / "bin" / name)
    found.append(Path(f"/usr/lib/postgresql/{server_major}/bin") / name)
    on_path = shutil.which(name)
    if on_path:
        found.append(Path(on_path))
    return [path for path in found if path.is_file() and os.access(path, os.X_OK)]


def _version(path: Path) -> Tool | None:
    try:
        output = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=30
        ).stdout
    except OSError:
        return None
    match = VERSION.search(output)
    if not match:
        return None
    major = int(match.group(1))
    return Tool(path=path, version=f"{major}.{match.group(2) or 0}", major=major)


def find(name: str, alias: str = "default") -> Tool:
    """The ``name`` program (pg_dump or pg_restore) to use with the server, or a CommandError
    that says what is missing."""
    major, full = server_version(alias)
    tools = [tool for tool in map(_version, _candidates(name, major)) if tool]
    if os.environ.get("PG_BIN_DIR") and tools and tools[0].major >= major:
        return tools[0]
    for tool in tools:
        if tool.major == major:
            return tool
    newer = sorted((tool for tool in tools if tool.major > major), key=lambda tool: tool.major)
    if newer:
        return newer[-1]
    seen = ", ".join(f"{tool.path} ({tool.version})" for tool in tools) or "none"
    raise CommandError(
        f"No {name} for this PostgreSQL {full} server: a {name} of version {major} or newer is "
        f"needed, and found was {seen}. The machine's client tools are older than the server: "
        f"install PostgreSQL {major}'s client programs (Debian: postgresql-client-{major}) or "
        "set PG_BIN_DIR to their directory."
    )


def connection_env(alias: str = "default") -> dict:
    """The environment that points libpq programs at the Django database (no password on
    the command line, where other users of the machine could read it)."""
    settings_dict = connections[alias].settings_dict
    env = {**os.environ}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        value = settings_dict.get(key)
        if value:
            env[variable] = str(value)
        else:
            env.pop(variable, None)
    options = settings_dict.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = options["sslmode"]
    env["PGCONNECT_TIMEOUT"] = str(options.get("connect_timeout", 10))
    return env
