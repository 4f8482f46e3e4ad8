from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalogue.backups import archive


class Command(BaseCommand):
    help = (
        "Write a compressed dump of the database (pg_dump custom format) to BACKUP_DIR, named "
        "by UTC time, and keep only the newest BACKUP_KEEP."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="Where to write (default: BACKUP_DIR).")
        parser.add_argument("--keep", type=int, help="How many to keep (default: BACKUP_KEEP).")

    def handle(self, *args, dir=None, keep=None, **options):
        directory = Path(dir or settings.BACKUP_DIR)
        keep = settings.BACKUP_KEEP if keep is None else keep
        if keep < 1:
            raise CommandError("--keep must be at least 1.")
        backup = archive.write_backup(directory)
        removed = archive.prune(directory, keep)
        self.stdout.write(
            f"Backup written: {backup.path} ({backup.size:,} bytes, {backup.seconds:.1f} s, "
            f"pg_dump {backup.pg_dump.version})."
        )
        if removed:
            self.stdout.write(
                f"Removed {len(removed)} older backup(s), keeping the newest {keep}: "
                + ", ".join(path.name for path in removed)
            )
