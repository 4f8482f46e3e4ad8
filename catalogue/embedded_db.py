"""Run a command against the project's embedded PostgreSQL unless DATABASE_URL is set.

    python -m catalogue.embedded_db run -- python manage.py migrate
    python -m catalogue.embedded_db url      # print the embedded server's URL
    python -m catalogue.embedded_db stop

The cluster lives under ``.data/postgres`` and keeps running between commands, so a second
``make run`` reuses the same data. It uses the PostgreSQL binaries shipped in the ``pgserver``
wheel, so no system install is needed (and no contrib extensions are available).
"""

import fcntl
import os
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("EMBEDDED_PG_DATA", BASE_DIR / ".data" / "postgres"))
DATABASE_NAME = "catalogue"
# initdb's defaults (128 MB of shared buffers, random reads priced as on spinning disks) make a
# large catalogue's searches read from the OS cache and steer the planner away from the GIN
# index. These fit a small machine with a few GB of RAM; ALTER SYSTEM keeps them in the cluster.
SERVER_SETTINGS = {
    "shared_buffers": "1GB",
    "effective_cache_size": "4GB",
    "work_mem": "32MB",
    "maintenance_work_mem": "256MB",
    "random_page_cost": "1.1",
    "default_statistics_target": "500",
    "jit": "off",  # compiling costs more than it saves on queries of a few milliseconds
}


def _server():
    # pgserver warns that XDG_RUNTIME_DIR is unset on servers; its /tmp fallback is fine.
    warnings.filterwarnings("ignore", module="platformdirs")
    import pgserver

    DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: leave the server running after this process exits.
    return pgserver.get_server(DATA_DIR, cleanup_mode=None)


def _connect(info) -> psycopg.Connection:
    return psycopg.connect(
        host=str(info.socket_dir),
        port=info.port,
        user="postgres",
        dbname="postgres",
        autocommit=True,
    )


def configure(conn: psycopg.Connection) -> bool:
    """Apply ``SERVER_SETTINGS``; True when some only take effect after a restart."""
    changed = False
    for name, value in SERVER_SETTINGS.items():
        current = conn.execute(
            "SELECT setting FROM pg_file_settings "
            "WHERE name = %s AND sourcefile LIKE '%%postgresql.auto.conf'",
            [name],
        ).fetchone()
        if current is None or current[0] != value:
            conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
            changed = True
    if changed:
        conn.execute("SELECT pg_reload_conf()")
    return bool(
        conn.execute("SELECT count(*) FROM pg_settings WHERE pending_restart").fetchone()[0]
    )


def embedded_url() -> str:
    """Start the embedded server if needed, configure it, create the database, return its URL."""
    # One `make` command at a time checks and restarts, so none starts while another restarts.
    DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
    with open(DATA_DIR.parent / "postgres.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        info = _server().get_postmaster_info()
        with _connect(info) as conn:
            pending = configure(conn)
            others = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                "AND pid <> pg_backend_pid()"
            ).fetchone()[0]
        if pending and not others:  # never cut off someone else's session; applied next start
            stop()
            server = _server()
            server.ensure_postgres_running()
            info = server.get_postmaster_info()
    socket_dir, port = str(info.socket_dir), info.port
    with _connect(info) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return f"postgres://postgres@{quote(socket_dir, safe='')}:{port}/{DATABASE_NAME}"


def stop() -> None:
    if (DATA_DIR / "postmaster.pid").exists():
        from pgserver import pg_ctl

        server = _server()
        pg_ctl(["-m", "fast", "-w", "stop"], pgdata=DATA_DIR, user=server.system_user)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "url", "stop"}:
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "stop":
        stop()
        return 0
    if argv[0] == "url":
        print(embedded_url())
        return 0
    command = argv[1:]
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print("run: no command given", file=sys.stderr)
        return 2
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = embedded_url()
    os.execvp(command[0], command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
