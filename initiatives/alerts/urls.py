from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("alerts/", views.SubscribeView.as_view(), name="subscribe"),
    path("alerts/check-your-email/", views.CheckEmailView.as_view(), name="check_email"),
    path("alerts/confirm/<str:token>/", views.ConfirmView.as_view(), name="confirm"),
    path("alerts/manage/<str:token>/", views.ManageView.as_view(), name="manage"),
    path("alerts/unsubscribe/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
]
