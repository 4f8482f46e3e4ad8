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
