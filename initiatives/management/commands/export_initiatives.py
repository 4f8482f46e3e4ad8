from pathlib import Path

from django.core.management.base import BaseCommand

from initiatives.seeding.exporter import export_seed_document
from initiatives.seeding.seed_document import dump_seed_document


class Command(BaseCommand):
    help = "Export the catalogue as JSON in the seed file's format (to stdout, or --output FILE)."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=None, help="Write to this file.")

    def handle(self, *args, output: Path | None, **options):
        text = dump_seed_document(export_seed_document())
        if output is None:
            self.stdout.write(text, ending="")
            return
        output.write_text(text, encoding="utf-8")
        self.stderr.write(f"Wrote {output}.")
