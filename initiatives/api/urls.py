from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views

app_name = "api"

urlpatterns = [
    path("initiatives/", views.InitiativeListAPIView.as_view(), name="initiative-list"),
    path(
        "initiatives/<str:code>/", views.InitiativeDetailAPIView.as_view(), name="initiative-detail"
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
