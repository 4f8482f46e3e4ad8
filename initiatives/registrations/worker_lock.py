"""Whether an e-mail worker is running, told by PostgreSQL itself.

Each running worker holds a shared advisory lock on a connection of its own for as long as it
runs (PostgreSQL releases it when the process or its connection dies, so a crashed worker never
leaves a stale mark). Whoever must not run beside a worker (restoring a backup) takes the same
lock exclusively: that fails while any worker holds it, and while it is held, workers pause.
The lock belongs to one database, so workers of other databases on the server do not count.
"""

from contextlib import suppress

from django.db import DatabaseError, connections

# An arbitrary 64-bit key, fixed for this purpose ("catalogue e-mail worker").
WORKER_LOCK_KEY = 7_240_530_118_001


class WorkerLock:
    """An advisory lock held on a dedicated connection (not Django's per-thread one, which
    the worker closes and reopens between rounds)."""

    def __init__(self, alias: str = "default"):
        self.alias = alias
        self.connection = None
        self.held = False

    def _cursor(self):
        if self.connection is None or not self.connection.is_usable():
            if self.connection is not None:
                with suppress(DatabaseError):  # already broken: nothing to close cleanly
                    self.connection.close()
            self.connection = connections.create_connection(self.alias)
            self.held = False
        return self.connection.cursor()

    def _try(self, function: str) -> bool:
        with self._cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [WORKER_LOCK_KEY])
            return bool(cursor.fetchone()[0])

    def hold_as_worker(self) -> bool:
        """Keep this worker's shared lock (taken again after a lost connection); False while
        someone holds it exclusively (a restore is running): then send nothing."""
        if not self.held or not self.connection.is_usable():
            self.held = self._try("pg_try_advisory_lock_shared")
        return self.held

    def take_exclusively(self) -> bool:
        """True if no worker runs (and none starts until release())."""
        self.held = self._try("pg_try_advisory_lock")
        return self.held

    def release(self) -> None:
        if self.connection is not None:
            with suppress(DatabaseError):  # a broken connection has released it already
                self.connection.close()  # ends the session, and with it the lock
        self.connection = None
        self.held = False
