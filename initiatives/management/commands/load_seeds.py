from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from initiatives.seeding.loader import SeedError, load_seed_file


class Command(BaseCommand):
    help = (
        "Load the structured seed file into the database. Safe to re-run: unchanged records are "
        "left alone, and records that staff edited since the last load are skipped unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", type=Path, default=None, help="Seed file (default: seeds/initiatives.json)."
        )
        parser.add_argument(
            "--force", action="store_true", help="Overwrite initiatives that staff have edited."
        )

    def handle(self, *args, file: Path | None, force: bool, **options):
        path = file or settings.SEED_FILE
        try:
            report = load_seed_file(path, force=force)
        except SeedError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Loaded {path}: {report.summary()}.")
        if report.organizations_created:
            self.stdout.write(f"Organizations created: {', '.join(report.organizations_created)}.")
        if report.skipped:
            self.stdout.write(
                self.style.WARNING(
                    "Skipped (edited by staff since the last load; --force overwrites): "
                    + ", ".join(report.skipped)
                )
            )
