"""Run a command against the project's embedded PostgreSQL unless DATABASE_URL is set.

    python -m catalogue.embedded_db run -- python manage.py migrate
    python -m catalogue.embedded_db url      # print the embedded server's URL
    python -m catalogue.embedded_db stop

The cluster lives under ``.data/postgres`` and keeps running between commands, so a second
``make run`` reuses the same data. It uses the PostgreSQL binaries shipped in the ``pgserver``
wheel, so no system install is needed (and no contrib extensions are available).
"""

import os
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("EMBEDDED_PG_DATA", BASE_DIR / ".data" / "postgres"))
DATABASE_NAME = "catalogue"


def _server():
    # pgserver warns that XDG_RUNTIME_DIR is unset on servers; its /tmp fallback is fine.
    warnings.filterwarnings("ignore", module="platformdirs")
    import pgserver

    DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: leave the server running after this process exits.
    return pgserver.get_server(DATA_DIR, cleanup_mode=None)


def embedded_url() -> str:
    """Start the embedded server if needed, create the database, and return its URL."""
    info = _server().get_postmaster_info()
    socket_dir, port = str(info.socket_dir), info.port
    with psycopg.connect(host=socket_dir, port=port, user="postgres", dbname="postgres") as conn:
        conn.autocommit = True
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
