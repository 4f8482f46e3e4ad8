"""The sitemap (``/sitemap.xml``): the list page and every published initiative, each in the six
languages with its alternates (hreflang). Drafts and staff pages are never in it."""

from functools import cached_property

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Initiative


class CatalogueSitemap(Sitemap):
    """Every address in each of the site's languages, naming the others (and English as the
    default)."""

    i18n = True
    alternates = True
    x_default = True


class ListSitemap(CatalogueSitemap):
    def items(self):
        return ["initiatives:list"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return self._latest_change

    @cached_property
    def _latest_change(self):
        return Initiative.objects.published().latest_change()


class InitiativeSitemap(CatalogueSitemap):
    def items(self):
        return Initiative.objects.published().only("code", "changed_at").order_by("code")

    def lastmod(self, item):
        return item.changed_at


SITEMAPS = {"list": ListSitemap, "initiatives": InitiativeSitemap}
