"""The served stack for the reliability suite: real processes, nothing from pytest-django.

One session-wide stack: a throwaway PostgreSQL cluster (migrated, seeded), a real SMTP server,
gunicorn as `make serve` runs it and two e-mail workers, all on loopback. Scenarios that break a
part of it (SMTP down, PostgreSQL crashed, a worker killed) restore it before they end, and each
one starts only once the stack is whole and quiet again (test_faults.scenario).
"""

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reliability import traffic
from tests.reliability.servers import (
    Gunicorn,
    PostgresCluster,
    Workers,
    manage,
    remove_tree,
    served_env,
)
from tests.reliability.smtp_hold import HoldingRecorder
from tests.smtp_server import SMTPServer

# Addresses of a few organizations, so that requests are routed to several recipients.
ORGANIZATION_EMAILS = {
    "UNODC": "unodc@example.org",
    "INCB": "incb@example.org",
    "OAS/CICAD": "cicad@example.org",
}
SECRETARIAT = "secretariat@coalition.example"
MIN_FILL_SECONDS = 1.0
# Seconds the workers wait on each SMTP step; a claimed message is retried by another worker
# after 10 times that (delivery.CLAIM_TIMEOUTS) if its worker died.
EMAIL_TIMEOUT = 2
# Run last: schemathesis checks the API of the server that went through every fault.
ORDER = ["test_load.py", "test_faults.py", "test_api_schema.py"]


# aiosmtpd logs every connection at INFO.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def pytest_collection_modifyitems(items):
    def rank(item):
        name = Path(str(item.fspath)).name
        return ORDER.index(name) if name in ORDER else len(ORDER)

    items.sort(key=rank)


def pytest_terminal_summary(terminalreporter):
    if traffic.REPORT:
        terminalreporter.section("reliability figures")
        for line in traffic.REPORT:
            terminalreporter.write_line(line)


@dataclass
class Stack:
    dir: Path
    cluster: PostgresCluster
    smtp: SMTPServer
    web: Gunicorn
    workers: Workers
    env: dict
    catalogue: traffic.Catalogue

    @property
    def base(self) -> str:
        return self.web.base


@pytest.fixture(scope="session")
def stack(request):
    directory = Path(tempfile.mkdtemp(prefix="catalogue-reliability-"))
    cluster = smtp = web = workers = None
    try:
        cluster = PostgresCluster(directory)
        cluster.init()
        cluster.start()
        cluster.create_database()
        smtp = SMTPServer()
        smtp.recorder = HoldingRecorder()  # the fault scenarios hold back a chosen answer
        smtp.start()
        env = served_env(
            cluster,
            smtp.port,
            # Every client shares 127.0.0.1; each registration has its own e-mail address.
            RATE_LIMIT_PER_IP="1000000",
            RATE_LIMIT_PER_EMAIL="1000",
            REGISTRATION_MIN_FILL_SECONDS=str(MIN_FILL_SECONDS),
            COALITION_CONTACT_EMAIL=SECRETARIAT,
            EMAIL_TIMEOUT=str(EMAIL_TIMEOUT),
            # Retries after 1 s, 2 s, 4 s…: an SMTP outage of seconds is caught up in seconds.
            EMAIL_RETRY_FIRST_SECONDS="1",
            DB_CONNECT_TIMEOUT="3",
        )
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "load_seeds")
        manage(env, "collectstatic", "--no-input", "-v0")
        with cluster.connect() as conn:
            for acronym, address in ORGANIZATION_EMAILS.items():
                updated = conn.execute(
                    "UPDATE initiatives_organization SET email = %s WHERE acronym = %s",
                    [address, acronym],
                ).rowcount
                assert updated == 1, acronym
            catalogue = traffic.Catalogue.load(conn, SECRETARIAT)
        web = Gunicorn(env, directory)
        web.wait_ready()
        workers = Workers(env, directory, count=2)
        yield Stack(directory, cluster, smtp, web, workers, env, catalogue)
    finally:
        failed = request.session.testsfailed
        for process in ([web] if web else []) + (workers.processes if workers else []):
            if failed:
                print(f"\n--- {process.name} (last lines) ---\n{process.tail()}")
            process.stop()
        if smtp:
            smtp.stop()
        if cluster and cluster.running():
            cluster.stop("fast")
        if os.environ.get("KEEP_RELIABILITY_DIR"):
            print(f"reliability files kept in {directory}")
        else:
            remove_tree(directory)
