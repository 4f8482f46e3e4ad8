from django.apps import AppConfig


class StaffAuthConfig(AppConfig):
    """Staff sign-in with a second factor (django-two-factor-auth on django-otp)."""

    name = "catalogue.staff_auth"
    label = "staff_auth"
    verbose_name = "Staff sign-in"
