from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "initiatives"
    verbose_name = "Initiatives catalogue"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401  (connects the receivers)
        from .roles import sync_roles_after_migrate

        # Keeps the staff roles' permissions complete as models are added.
        post_migrate.connect(sync_roles_after_migrate, sender=self)
        # The synonyms' phrases are indexed as single words (search.phrases); a release can
        # bring new ones.
        post_migrate.connect(sync_phrases_after_migrate, sender=self)


def sync_phrases_after_migrate(using, **kwargs):
    from django.db import connections

    from .search.phrases import sync_phrases

    connection = connections[using]
    # Not when migrating back to before the phrases existed.
    if connection.vendor == "postgresql" and (
        "initiatives_searchphrase" in connection.introspection.table_names()
    ):
        sync_phrases()
