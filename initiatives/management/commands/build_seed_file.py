import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from initiatives.seeding.seed_document import (
    SOURCE_FILENAME,
    CurationError,
    build_seed_document,
    dump_seed_document,
)
from initiatives.seeding.source_parser import SourceParseError, parse_source


class Command(BaseCommand):
    help = (
        "Rebuild seeds/initiatives.json from the verbatim source page and seeds/curated.json. "
        "With --check, only report whether the committed file is up to date."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Fail if the file is out of date.")

    def handle(self, *args, check: bool, **options):
        sources = settings.SEEDS_DIR / "source"
        try:
            curated = json.loads((settings.SEEDS_DIR / "curated.json").read_text(encoding="utf-8"))
            document = build_seed_document(
                parse_source(sources / SOURCE_FILENAME), curated, sources
            )
        except (SourceParseError, CurationError, json.JSONDecodeError, KeyError) as error:
            raise CommandError(str(error)) from error
        text = dump_seed_document(document)
        target = settings.SEED_FILE
        if check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                raise CommandError(f"{target} is out of date: run manage.py build_seed_file")
            self.stdout.write(f"{target} is up to date.")
            return
        target.write_text(text, encoding="utf-8")
        attributed = sum(1 for record in document["initiatives"] if record["lead_organization"])
        self.stdout.write(
            f"Wrote {target}: {len(document['initiatives'])} initiatives, "
            f"{attributed} with a lead organization."
        )
