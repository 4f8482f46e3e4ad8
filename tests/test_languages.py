"""The interface in the six languages: addresses, the first visit, the switcher, the markup."""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

pytestmark = pytest.mark.django_db

LANGUAGES = dict(settings.LANGUAGES)
OTHER_LANGUAGES = [code for code in LANGUAGES if code != "en"]
HEADING = "Find technical-assistance initiatives"


def translated(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def html_of(client, url: str, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def html_tag(html: str) -> str:
    return re.search(r"<html[^>]*>", html).group(0)


@pytest.mark.parametrize("language", ["fr", "es"])
def test_each_prefix_answers_in_its_language(client, catalogue, language):
    html = html_of(client, f"/{language}/")
    heading = translated(language, HEADING)
    assert heading != HEADING
    assert f"<h1>{heading}</h1>" in html
    assert f'lang="{language}" dir="ltr"' in html_tag(html)
    response = client.get(f"/{language}/initiatives/1101/")
    assert response["Content-Language"] == language
    assert translated(language, "Lead organization") in response.content.decode()


def test_english_stays_at_the_root_for_a_visitor_without_a_preference(client, catalogue):
    response = client.get("/")  # a crawler: no Accept-Language, no cookie
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert f"<h1>{HEADING}</h1>" in response.content.decode()
    assert {"accept-language", "cookie"} <= {
        part.strip().lower() for part in response["Vary"].split(",")
    }
    assert client.get("/en/").status_code == 404  # English has one address


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("ar", "/ar/"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "/zh-hans/"),
        ("fr-CA,fr;q=0.9", "/fr/"),
        ("de-DE,ru;q=0.5", "/ru/"),
    ],
)
def test_a_first_visit_follows_accept_language(client, catalogue, header, target):
    response = client.get("/", headers={"Accept-Language": header})
    assert response.status_code == 302
    assert response["Location"] == target
    assert {"accept-language", "cookie"} <= {
        part.strip().lower() for part in response["Vary"].split(",")
    }


def test_a_first_visit_keeps_the_page_and_its_query(client, catalogue):
    response = client.get("/initiatives/1101/?x=1", headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert response["Location"] == "/es/initiatives/1101/?x=1"
    response = client.get("/?q=naloxone&group=3.2", headers={"Accept-Language": "ru"})
    assert response["Location"] == "/ru/?q=naloxone&group=3.2"


@pytest.mark.parametrize("header", ["en-US,en;q=0.9", "de-DE,de;q=0.9", ""])
def test_english_or_an_unsupported_language_stays_in_english(client, catalogue, header):
    assert client.get("/", headers={"Accept-Language": header}).status_code == 200


def test_posts_health_checks_and_the_admin_are_never_redirected(client, catalogue):
    french = {"Accept-Language": "fr"}
    assert client.get("/healthz", headers=french).status_code == 200
    admin = client.get("/" + settings.ADMIN_URL + "login/", headers=french)
    assert admin.status_code == 200
    assert admin["Content-Language"] == "en"  # the admin is English-only
    assert client.get("/fr/" + settings.ADMIN_URL + "login/").status_code == 404
    post = client.post("/shortlist/", {"add": "1101", "next": "/"}, headers=french)
    assert post.status_code == 302 and post["Location"] == "/"


def switch(client, language: str, next_url: str):
    """What the header's switcher sends: one button per language, the page as ``next``."""
    return client.post("/i18n/setlang/", {"language": language, "next": next_url})


def test_the_switcher_keeps_the_page_and_its_filters(client, catalogue):
    page = "/?q=naloxone&group=3.2&sort=title&page=1"
    html = html_of(client, page)
    switcher = re.search(r'<nav class="language-switcher".*?</nav>', html, re.S).group(0)
    forms = re.findall(r'name="next" value="([^"]+)".*?value="([^"]+)" lang="\2"', switcher)
    query = page[1:].replace("&", "&amp;")
    assert forms == [(f"/{code}/{query}", code) for code in OTHER_LANGUAGES]
    for code in OTHER_LANGUAGES:
        assert f'lang="{code}" class="button-link">{LANGUAGES[code]}</button>' in switcher
    assert '<span class="current-language" lang="en" aria-current="true">English</span>' in (
        switcher
    )

    response = switch(client, "ar", "/ar" + page)
    assert response.status_code == 302
    assert response["Location"] == "/ar/" + page[1:]
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    arabic = html_of(client, response["Location"])
    assert 'name="q" id="id_q" value="naloxone"' in arabic
    assert re.search(r'name="group" value="3.2"[^>]* checked', arabic)
    assert '<option value="title" selected>' in arabic


def test_a_choice_is_remembered_and_english_can_be_chosen_again(catalogue):
    client = Client(headers={"Accept-Language": "fr"})
    assert client.get("/").status_code == 302  # the browser's language, first

    switch(client, "zh-hans", "/zh-hans/initiatives/1101/")
    response = client.get("/initiatives/3210/")
    assert response["Location"] == "/zh-hans/initiatives/3210/"

    response = switch(client, "en", "/initiatives/3210/")
    assert response["Location"] == "/initiatives/3210/"
    english = client.get("/initiatives/3210/")  # a French browser that chose English
    assert english.status_code == 200 and english["Content-Language"] == "en"


@pytest.mark.parametrize("path", ["/", "/initiatives/2206A/", "/shortlist/", "/register/"])
def test_every_page_names_its_other_languages(client, catalogue, path):
    html = html_of(client, "/ar" + path)
    assert 'lang="ar" dir="rtl"' in html_tag(html)
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    assert set(alternates) == {*LANGUAGES, "x-default"}
    assert urlsplit(alternates["x-default"]).path == path
    assert urlsplit(alternates["en"]).path == path
    for code in OTHER_LANGUAGES:
        assert urlsplit(alternates[code]).path == f"/{code}{path}"
        assert alternates[code].startswith("http://testserver/")


def test_chinese_pages_are_left_to_right(client, catalogue):
    assert 'lang="zh-hans" dir="ltr"' in html_tag(html_of(client, "/zh-hans/"))


def test_the_initiatives_own_text_is_marked_english_and_said_to_be(client, catalogue):
    html = html_of(client, "/fr/initiatives/1101/")
    assert '<h1 id="initiative-title" lang="en" dir="ltr">' in html
    assert '<div class="description" lang="en" dir="ltr">' in html
    notice = translated(
        "fr",
        "This initiative is published in English: its title, description and point of contact "
        "are shown as published.",
    )
    assert notice in html
    listing = html_of(client, "/fr/")
    assert '<p class="excerpt" lang="en" dir="ltr">' in listing
    assert 'published-in-english"' in listing
    assert 'published-in-english"' not in html_of(client, "/")


def test_codes_stay_left_to_right_on_arabic_pages(client, catalogue):
    html = html_of(client, "/ar/")
    assert '<span class="code" dir="ltr">1101</span>' in html
    assert re.search(r'<h3 id="swg-[0-9]+"><span dir="ltr">1\.1</span> ', html)


def test_facet_and_sort_labels_and_choices_are_translated(client, catalogue):
    html = html_of(client, "/es/?q=naloxone")
    for message in ("Sub-working group", "Implementing organization", "Apply filters"):
        assert translated("es", message) in html
    with translation.override("es"):
        relevance = translation.pgettext("sort order", "Relevance")
    assert f'<option value="" selected>{relevance}</option>' in html
    assert translated("es", "Not attributed") in html


def test_did_you_mean_and_the_selected_filters_are_translated(client, catalogue):
    html = html_of(client, "/fr/?q=precusor")
    assert re.search(r'<p class="did-you-mean">Vouliez-vous dire <a href="\?q=precursor"', html)
    with translation.override("fr"):
        assert gettext("Search: %(query)s") % {"query": "precusor"} in html


def test_numbers_follow_the_language(client, catalogue):
    from initiatives.listing import Listing

    with translation.override("fr"):
        assert Listing.search_limit.fget(None) == "1\xa0000"
    with translation.override("en"):
        assert Listing.search_limit.fget(None) == "1,000"


def test_error_pages_are_translated(client, catalogue):
    response = client.get("/es/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert translated("es", "Page not found") in html
    assert 'lang="es"' in html_tag(html)


def test_form_errors_are_translated(client, catalogue):
    response = client.post("/fr/register/", {"initiatives": ["1101"]})
    assert response.status_code == 400
    html = response.content.decode()
    assert translated("fr", "There is a problem") in html
    assert translated("fr", "You must agree to share your details to register interest.") in html
    assert "Ce champ est obligatoire." in html  # Django's own catalogue


def test_the_api_answers_in_the_language_of_its_prefix(client, catalogue):
    response = client.get("/fr/api/initiatives/?page=zero")
    assert response.status_code == 400
    assert response["Content-Language"] == "fr"
    message = translated("fr", "must be a whole number from 1, not %(value)s.")
    assert response.json() == {"page": [message % {"value": "'zero'"}]}
    assert client.get("/fr/api/initiatives/1101/").json()["code"] == "1101"


def test_the_api_without_a_prefix_honours_accept_language(client, catalogue):
    response = client.get("/api/initiatives/?page_size=0", headers={"Accept-Language": "es"})
    assert response.status_code == 400  # answered, not redirected
    assert response["Content-Language"] == "es"
    assert "accept-language" in response["Vary"].lower()
    message = translated("es", "must be a whole number from 1 to %(maximum)s.")
    assert response.json() == {"page_size": [message % {"maximum": 100}]}

    english = client.get("/api/initiatives/?page_size=0")
    assert english["Content-Language"] == "en"
    assert english.json() == {"page_size": ["must be a whole number from 1 to 100."]}
    # An API client's language is its header, not a browser's cookie.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert client.get("/api/initiatives/?page_size=0")["Content-Language"] == "en"
