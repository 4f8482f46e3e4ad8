import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from catalogue.backups import archive
from initiatives.registrations.worker_lock import WorkerLock


class Command(BaseCommand):
    help = (
        "Replace the database's content with a backup made by backup_database. Checks the "
        "whole file first, refuses while an e-mail worker (deliver_emails) runs, asks for "
        "confirmation (--yes for scripts), and restores in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The backup file (.dump).")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask for confirmation (for scripts)."
        )

    def handle(self, *args, backup, yes, **options):
        path = Path(backup)
        entries = archive.check_readable(path)
        database = connections["default"].settings_dict["NAME"]
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError(
                    "Not restoring without confirmation: give --yes (make restore CONFIRM=yes)."
                )
            answer = input(
                f"Replace everything in the database {database!r} with {path} "
                f"({entries} entries)? Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        lock = WorkerLock()
        try:
            if not lock.take_exclusively():
                raise CommandError(
                    "An e-mail worker (manage.py deliver_emails) is running on this database: "
                    "stop it (and the web server) before restoring; nothing was changed."
                )
            seconds = archive.restore(path)
        finally:
            lock.release()
        self.stdout.write(f"Restored {path} into {database!r} ({seconds:.1f} s).")
