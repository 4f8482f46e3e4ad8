"""/robots.txt: crawlers may read the catalogue, not its staff, personal or export pages."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.views.generic import TemplateView

# Pages with nothing to index (forms, a visitor's own shortlist, alert subscriptions) and the
# export, a copy of the list; each in every language.
PRIVATE_PAGES = ("registrations:register", "registrations:shortlist", "alerts:subscribe")
EXPORTS = ("initiatives:csv",)


def disallowed_paths() -> list[str]:
    paths = ["/" + settings.ADMIN_URL]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            paths += [reverse(name) for name in (*PRIVATE_PAGES, *EXPORTS)]
    return list(dict.fromkeys(paths))


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "disallowed": disallowed_paths(),
            "sitemap_url": self.request.build_absolute_uri(reverse("sitemap")),
        }
