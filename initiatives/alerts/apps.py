from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """E-mail alerts for a search: subscriptions (double opt-in) and what each was sent."""

    name = "initiatives.alerts"
    label = "alerts"
    verbose_name = "E-mail alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from initiatives.roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, sender=self)
