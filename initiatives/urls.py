from django.urls import path

from . import views

app_name = "initiatives"

urlpatterns = [
    path("", views.InitiativeListView.as_view(), name="list"),
    path("initiatives/<str:code>/", views.InitiativeDetailView.as_view(), name="detail"),
]
