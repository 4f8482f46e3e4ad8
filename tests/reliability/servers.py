"""The real processes the reliability suite runs against: a throwaway PostgreSQL cluster,
gunicorn started the way `make serve` starts it, and `deliver_emails` workers."""

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import psutil
import psycopg

from tests.smtp_server import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def pg_bin() -> Path:
    # pgserver warns that XDG_RUNTIME_DIR is unset on servers; only its binaries are used here.
    warnings.filterwarnings("ignore", module="platformdirs")
    from pgserver._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH


class PostgresCluster:
    """Our own cluster in a temp dir, on its own TCP port: it can be stopped, crashed and
    started again without touching anyone else's server."""

    def __init__(self, directory: Path):
        self.dir = directory / "pg"
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.port = free_port()
        # PostgreSQL refuses to run as root: as root, run it as pgserver's own system user.
        self.user = None
        if os.geteuid() == 0:
            pg_bin()
            from pgserver.utils import ensure_user_exists

            self.user = "pgserver"
            ensure_user_exists(self.user)
        self.dir.mkdir(parents=True)
        if self.user:
            import pwd

            entry = pwd.getpwnam(self.user)
            directory.chmod(0o755)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)

    def url(self, database="catalogue") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _pg(self, program: str, *args: str, timeout: float = 60) -> None:
        # Output to a file, not a pipe: the server inherits pg_ctl's descriptors and would keep
        # a pipe open (pgserver notes the same hang).
        with open(self.dir / "pg_ctl.out", "ab") as out:
            subprocess.run(
                [str(pg_bin() / program), *args],
                check=True,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                user=self.user,
                cwd=self.dir,
            )

    def init(self) -> None:
        self._pg(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=utf8",
            "--no-sync",
        )

    def start(self) -> None:
        # fsync off: this cluster only ever dies as a process (stop -m immediate), never with
        # the machine, so committed data still survives, and the shared disk is spared.
        options = f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c max_connections=60"
        self._pg(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """mode "immediate" is a crash: no shutdown checkpoint, WAL recovery on next start."""
        self._pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def connect(self, database="catalogue", **kwargs) -> psycopg.Connection:
        return psycopg.connect(self.url(database), autocommit=True, connect_timeout=5, **kwargs)

    def create_database(self, name="catalogue") -> None:
        with self.connect("postgres") as conn:
            conn.execute(f'CREATE DATABASE "{name}"')


def served_env(cluster: PostgresCluster, smtp_port: int, **extra) -> dict[str, str]:
    """What `make serve` exports, pointed at our cluster and SMTP server."""
    dropped = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "PYTEST_ADDOPTS"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        DATABASE_URL=cluster.url(),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        PYTHONUNBUFFERED="1",
        PYTHONWARNINGS="ignore",
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr[-3000:]}"
    return result.stdout


def http_status(url: str, timeout: float = 5) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def wait_for(predicate, timeout: float, interval: float = 0.2, what: str = "condition"):
    """Poll until predicate() is truthy; return (value, seconds waited)."""
    started = time.monotonic()
    while True:
        value = predicate()
        if value:
            return value, time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class Process:
    """A child process in its own process group, logging to a file."""

    def __init__(self, name: str, args: list[str], env: dict, log: Path):
        self.name = name
        self.log = log
        self._out = open(log, "ab")  # closed in stop()
        self.popen = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL, no chance to clean up (the process group: gunicorn's workers too)."""
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, timeout: float = 20) -> None:
        if self.alive():
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
                self.popen.wait(timeout=timeout)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                pass
        if self.alive():
            self.kill()
        else:
            # Whatever else is left in the group (gunicorn workers of a dead arbiter).
            try:
                os.killpg(self.popen.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._out.close()

    def tail(self, lines: int = 15) -> str:
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


class Gunicorn(Process):
    def __init__(self, env: dict, directory: Path):
        self.port = free_port()
        env = {**env, "PORT": str(self.port), "HOST": "127.0.0.1"}
        args = [str(BIN / "gunicorn"), "catalogue.wsgi", "-c", "catalogue/gunicorn.conf.py"]
        super().__init__("gunicorn", args, env, directory / "gunicorn.log")
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60) -> float:
        def ready():
            assert self.alive(), f"gunicorn exited:\n{self.tail()}"
            return http_status(self.base + "/readyz") == 200

        return wait_for(ready, timeout, what="gunicorn /readyz")[1]


class Workers:
    """`manage.py deliver_emails` processes, as many as asked, replaceable one by one."""

    def __init__(self, env: dict, directory: Path, count: int = 2):
        self.env = env
        self.dir = directory
        self.started = 0
        self.processes: list[Process] = []
        for _ in range(count):
            self.add()

    def add(self) -> Process:
        self.started += 1
        process = Process(
            f"worker-{self.started}",
            [sys.executable, "manage.py", "deliver_emails", "--interval", "0.5"],
            self.env,
            self.dir / f"worker-{self.started}.log",
        )
        self.processes.append(process)
        return process

    def alive(self) -> list[Process]:
        return [p for p in self.processes if p.alive()]

    @staticmethod
    def connections(process: Process) -> list:
        """The process's own TCP sockets (its open descriptors, not a scan of every process)."""
        try:
            return psutil.Process(process.pid).net_connections(kind="tcp4")
        except psutil.Error:  # gone (or a zombie) meanwhile
            return []

    def owner_of(self, peer: tuple, server: tuple) -> Process | None:
        """The worker on the client end of the TCP connection peer → server (both (host, port)).

        Only our workers' own sockets are looked at, and the whole connection is matched, not
        the client's port alone: Linux gives the same ephemeral port to connections to different
        servers, so machine-wide, other sockets (of gunicorn, PostgreSQL clients, or closed ones
        in TIME_WAIT, with no owner) often share the port number of a worker's SMTP connection.
        """
        for process in self.alive():
            for connection in self.connections(process):
                if (
                    connection.status == psutil.CONN_ESTABLISHED
                    and tuple(connection.laddr or ())[:2] == tuple(peer)[:2]
                    and tuple(connection.raddr or ())[:2] == tuple(server)[:2]
                ):
                    return process
        return None

    def describe_connections(self) -> str:
        return "; ".join(
            f"{p.name} (pid {p.pid}, {'alive' if p.alive() else 'dead'}): "
            + ", ".join(
                f"{tuple(c.laddr)[1]}->{tuple(c.raddr)[1]} {c.status}"
                for c in self.connections(p)
                if c.raddr
            )
            for p in self.processes
        )

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
