from django.urls import path

from . import feeds, views

app_name = "initiatives"

urlpatterns = [
    path("", views.InitiativeListView.as_view(), name="list"),
    path("export.csv", views.InitiativeCSVView.as_view(), name="csv"),
    path("feed/", feeds.InitiativesFeed(), name="feed"),
    path("initiatives/<str:code>/", views.InitiativeDetailView.as_view(), name="detail"),
    path(
        "initiatives/<str:code>/register-interest/",
        views.RegisterInterestView.as_view(),
        name="register_interest",
    ),
]
