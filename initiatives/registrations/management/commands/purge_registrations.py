from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from initiatives.registrations.models import Registration
from initiatives.registrations.ratelimit import forget_old_windows


class Command(BaseCommand):
    help = (
        "Delete registrations of interest (and their e-mails) older than the retention period "
        "(REGISTRATION_RETENTION_MONTHS, default 24)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=None)
        parser.add_argument("--dry-run", action="store_true", help="Only count.")

    def handle(self, *args, months: int | None, dry_run: bool, **options):
        months = settings.REGISTRATION_RETENTION_MONTHS if months is None else months
        if months < 1:
            raise CommandError("--months must be at least 1.")
        cutoff = timezone.now() - timedelta(days=round(months * 365.25 / 12))
        old = Registration.objects.filter(submitted_at__lt=cutoff)
        count = old.count()
        if dry_run:
            self.stdout.write(
                f"{count} registration(s) submitted before {cutoff:%Y-%m-%d} would be deleted."
            )
            return
        old.delete()
        forget_old_windows(timezone.now() - timedelta(days=1))
        self.stdout.write(f"Deleted {count} registration(s) submitted before {cutoff:%Y-%m-%d}.")
