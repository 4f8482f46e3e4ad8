import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from initiatives.registrations.delivery import deliver_due
from initiatives.registrations.worker_lock import WorkerLock


class Command(BaseCommand):
    help = (
        "Send queued e-mails (registrations of interest). Runs until stopped; several may run "
        "at once. With --once, sends what is due and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Drain what is due, then exit.")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="Seconds between looks at the queue."
        )

    def handle(self, *args, once: bool, interval: float, **options):
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        # Tells restore_database that a worker runs (and pauses this one during a restore).
        presence = WorkerLock()
        try:
            self._loop(once, interval, presence, lambda: stopping)
        finally:
            presence.release()

    def _loop(self, once, interval, presence, stopping):
        while True:
            close_old_connections()  # survive a database restart
            try:
                report = deliver_due() if presence.hold_as_worker() else None
            except Exception as error:  # noqa: BLE001  (the database may be restarting)
                self.stderr.write(f"delivery round failed: {type(error).__name__}: {error}")
                report = None
            if report and (report.sent or report.retried or report.failed):
                self.stdout.write(
                    f"sent {report.sent}, to retry {report.retried}, failed {report.failed}"
                )
            if once or stopping():
                return
            for _ in range(max(1, int(interval * 10))):
                if stopping():
                    return
                time.sleep(0.1)
