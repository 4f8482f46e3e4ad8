"""The staff sign-in pages, under ADMIN_URL (outside any language prefix). The namespace is
the library's own, which its views and templates reverse."""

from django.conf import settings
from django.urls import path
from two_factor.views import BackupTokensView, QRGeneratorView, SetupCompleteView

from .views import StaffLoginView, StaffSetupView

app_name = "two_factor"

urlpatterns = [
    # Takes the place of the admin's own (password-only) sign-in page.
    path(settings.ADMIN_URL + "login/", StaffLoginView.as_view(), name="login"),
    path(settings.ADMIN_URL + "two-factor/setup/", StaffSetupView.as_view(), name="setup"),
    path(settings.ADMIN_URL + "two-factor/qrcode/", QRGeneratorView.as_view(), name="qr"),
    path(
        settings.ADMIN_URL + "two-factor/setup/complete/",
        SetupCompleteView.as_view(),
        name="setup_complete",
    ),
    path(
        settings.ADMIN_URL + "two-factor/recovery-codes/",
        BackupTokensView.as_view(),
        name="backup_tokens",
    ),
]
