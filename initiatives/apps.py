from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "initiatives"
    verbose_name = "Initiatives catalogue"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
