from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """Database backups (pg_dump custom format) and their restore: backup_database and
    restore_database."""

    name = "catalogue.backups"
    label = "backups"
    verbose_name = "Backups"
