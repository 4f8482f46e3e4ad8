"""Load: concurrent readers of every public page and the API, and concurrent registrants, for
RELIABILITY_LOAD_SECONDS (60 by default) against gunicorn, PostgreSQL and a real SMTP server."""

import os
import time

import pytest

from tests.reliability import checks, traffic
from tests.reliability.conftest import MIN_FILL_SECONDS

pytestmark = pytest.mark.reliability

SECONDS = float(os.environ.get("RELIABILITY_LOAD_SECONDS", "60"))
READERS = 10
REGISTRANTS = 4


def test_load_serves_everything_and_delivers_every_email_once(stack):
    load = traffic.start_load(stack, READERS, REGISTRANTS, MIN_FILL_SECONDS)
    time.sleep(SECONDS)
    load.stop()
    elapsed = load.stopped - load.started
    drained = checks.wait_until_delivered(stack.cluster)

    assert not load.crashes, load.crashes
    assert not load.stats.server_errors(), load.stats.server_errors()[:5]
    assert [s for s in load.stats.samples if s.status is None] == []
    assert not load.stats.problems, load.stats.problems[:10]
    registered = checks.check_registrations(stack.cluster, load.attempts, stack.catalogue)
    # Nothing was down: every registration was accepted at the first POST.
    assert all(a.outcome == "accepted" and a.posts == [302] for a in load.attempts)
    assert registered["accepted"] >= SECONDS / 2, registered  # registrations really ran
    delivered = checks.check_delivery(stack.cluster, stack.smtp, load.attempts, stack.catalogue)
    assert all(process.alive() for process in stack.workers.processes)
    kinds = sorted({s.kind for s in load.stats.samples})
    traffic.REPORT.append(
        load.stats.summary(f"load ({READERS} readers + {REGISTRANTS} registrants)", elapsed)
    )
    traffic.REPORT.append(
        f"load: registrations accepted {registered['accepted']}, stored {registered['stored']}, "
        f"e-mails sent {delivered['emails']} (each accepted once by SMTP), outbox drained "
        f"{drained:.1f} s after the load stopped; request kinds {kinds}"
    )
