from django.urls import path

from . import views

app_name = "registrations"

urlpatterns = [
    path("shortlist/", views.ShortlistView.as_view(), name="shortlist"),
    path("register/", views.RegisterView.as_view(), name="register"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    path("register/done/<uuid:reference>/", views.RegistrationDoneView.as_view(), name="done"),
]
