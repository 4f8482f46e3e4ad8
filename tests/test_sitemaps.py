"""/sitemap.xml (initiatives/sitemaps.py) and /robots.txt (catalogue/robots.py)."""

import xml.etree.ElementTree as ET
from urllib.robotparser import RobotFileParser

import pytest

from initiatives.models import Initiative
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
LANGUAGES = ["en", "fr", "es", "ru", "ar", "zh-hans"]


def sitemap_urls(client) -> dict[str, ET.Element]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    return {url.findtext(f"{SITEMAP}loc"): url for url in root.findall(f"{SITEMAP}url")}


def alternates(url: ET.Element) -> dict[str, str]:
    return {
        link.get("hreflang"): link.get("href")
        for link in url.findall(f"{XHTML}link")
        if link.get("rel") == "alternate"
    }


def test_every_published_initiative_is_in_every_language_with_its_alternates(client, catalogue):
    urls = sitemap_urls(client)
    codes = list(catalogue.values_list("code", flat=True))
    assert len(codes) == 118
    assert len(urls) == (len(codes) + 1) * len(LANGUAGES)
    for code in codes:
        assert f"http://testserver/initiatives/{code}/" in urls
    english = urls["http://testserver/initiatives/2206A/"]
    expected = {
        "en": "http://testserver/initiatives/2206A/",
        "fr": "http://testserver/fr/initiatives/2206A/",
        "es": "http://testserver/es/initiatives/2206A/",
        "ru": "http://testserver/ru/initiatives/2206A/",
        "ar": "http://testserver/ar/initiatives/2206A/",
        "zh-hans": "http://testserver/zh-hans/initiatives/2206A/",
        "x-default": "http://testserver/initiatives/2206A/",
    }
    assert alternates(english) == expected
    # Each language's address is listed too, naming the same alternates.
    assert alternates(urls["http://testserver/ar/initiatives/2206A/"]) == expected
    assert alternates(urls["http://testserver/zh-hans/"])["fr"] == "http://testserver/fr/"


def test_lastmod_is_when_what_readers_see_last_changed(client, catalogue):
    edited = Initiative.objects.get(code="1101")
    edited.title = "Retitled for the sitemap"
    edited.save()
    urls = sitemap_urls(client)
    changed = Initiative.objects.get(code="1101").changed_at.date().isoformat()
    assert urls["http://testserver/fr/initiatives/1101/"].findtext(f"{SITEMAP}lastmod") == changed
    untouched = Initiative.objects.get(code="2105").changed_at.date().isoformat()
    assert urls["http://testserver/initiatives/2105/"].findtext(f"{SITEMAP}lastmod") == untouched
    # The list page changed when its latest initiative did.
    latest = catalogue.latest_change().date().isoformat()
    assert urls["http://testserver/"].findtext(f"{SITEMAP}lastmod") == latest


def test_drafts_and_staff_pages_are_never_in_it(client, catalogue):
    draft = make_initiative(is_published=False)
    Initiative.objects.filter(code="1101").update(is_published=False)
    urls = sitemap_urls(client)
    assert not [url for url in urls if draft.code in url or "/1101/" in url]
    assert not [url for url in urls if "admin" in url or "register" in url or "alerts" in url]
    assert "http://testserver/initiatives/2105/" in urls


def robots(client) -> str:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    return response.content.decode()


def test_robots_allow_the_catalogue_and_name_the_sitemap(client, catalogue):
    text = robots(client)
    # Disallow before Allow: crawlers that take the first matching rule read them right too.
    assert text.startswith("User-agent: *\nDisallow: /admin/\n")
    assert "\nAllow: /\n" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text.splitlines()
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    for allowed in ["/", "/fr/", "/initiatives/2206A/", "/ar/initiatives/3212/", "/feed/", "/api/"]:
        assert parser.can_fetch("AnyBot", allowed), allowed
    for language in ["", "/fr", "/es", "/ru", "/ar", "/zh-hans"]:
        for private in [
            "/register/",
            "/register/done/x/",
            "/shortlist/",
            "/alerts/",
            "/export.csv",
        ]:
            assert not parser.can_fetch("AnyBot", language + private), language + private
    assert not parser.can_fetch("AnyBot", "/admin/")
    assert not parser.can_fetch("AnyBot", "/admin/login/")


def test_robots_follow_the_admin_address(client, catalogue, settings):
    settings.ADMIN_URL = "staff-only/"
    text = robots(client)
    assert "Disallow: /staff-only/" in text.splitlines()
    assert "Disallow: /admin/" not in text
