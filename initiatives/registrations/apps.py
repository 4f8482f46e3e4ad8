from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    """Registrations of interest, the shortlist, and the outbox that delivers their e-mails."""

    name = "initiatives.registrations"
    label = "registrations"
    verbose_name = "Registrations of interest"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from initiatives.roles import sync_roles_after_migrate

        # The staff roles hold permissions on these models, which a new database gets when this
        # app's post_migrate runs, after the initiatives app has synced the roles once.
        post_migrate.connect(sync_roles_after_migrate, sender=self)
