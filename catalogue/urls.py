from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from catalogue import health
from catalogue.robots import RobotsView
from initiatives.sitemaps import SITEMAPS
from initiatives.staff_views import DataQualityView

# A database outage noticed outside a view is a 503 too (see catalogue.errors.server_error).
handler500 = "catalogue.errors.server_error"

admin.site.site_header = "Initiatives Catalogue administration"
admin.site.site_title = "Initiatives Catalogue"

# Health checks, the (English-only) admin, the language switcher's endpoint and what crawlers
# read (the sitemap names every language's addresses) have one address.
urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        settings.ADMIN_URL + "quality/",
        admin.site.admin_view(DataQualityView.as_view()),
        name="data-quality",
    ),
    # Staff sign-in with a second factor; before the admin, whose sign-in page it replaces.
    path("", include("catalogue.staff_auth.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
# The public pages and the API in each language: English at /, the others under /fr/, /ar/, ...
urlpatterns += i18n_patterns(
    path("api/", include("initiatives.api.urls")),
    path("", include("initiatives.registrations.urls")),
    path("", include("initiatives.alerts.urls")),
    path("", include("initiatives.urls")),
    prefix_default_language=False,
)
