"""Staff translations of an initiative: the English record stays as it is; a translation is
published (API, search) only once marked reviewed, in its own language."""

import pytest
from django.utils import translation

from initiatives.models import Initiative
from tests.conftest import admin_change_form, sign_in_with_second_factor
from tests.search.results import ranked_codes
from tests.test_staff import staff

pytestmark = pytest.mark.django_db

FRENCH_TITLE = "Sensibilisation à la naloxone et distribution dans les communautés"
FRENCH_TEXT = "Former les primo-intervenants à administrer la naloxone lors d'une surdose."


@pytest.fixture
def naloxone(catalogue):
    initiative = Initiative.objects.get(code="3210")
    initiative.translations.create(
        language_code="fr",
        translated_title=FRENCH_TITLE,
        translated_description=FRENCH_TEXT,
        reviewed=True,
    )
    initiative.translations.create(
        language_code="es", translated_title="Borrador sin revisar", reviewed=False
    )
    return initiative


def test_a_translation_leaves_the_english_record_untouched(naloxone):
    before = Initiative.objects.values("title", "description").get(pk=naloxone.pk)
    with translation.override("fr"):
        naloxone.save()
    assert Initiative.objects.values("title", "description").get(pk=naloxone.pk) == before


def test_only_a_reviewed_translation_is_published(naloxone):
    assert naloxone.reviewed_translation("fr").translated_title == FRENCH_TITLE
    assert naloxone.reviewed_translation("es") is None
    assert naloxone.reviewed_translation("en") is None
    fetched = Initiative.objects.with_reviewed_translations("fr").get(pk=naloxone.pk)
    assert fetched.reviewed_translation("fr").translated_description == FRENCH_TEXT


def test_the_api_answers_in_the_language_asked_and_says_which(client, naloxone):
    for response in (
        client.get("/fr/api/initiatives/3210/"),
        client.get("/api/initiatives/3210/", HTTP_ACCEPT_LANGUAGE="fr"),
    ):
        data = response.json()
        assert data["title"] == FRENCH_TITLE
        assert data["description"] == FRENCH_TEXT
        assert data["field_languages"] == {"title": "fr", "description": "fr"}
        assert data["sub_working_group"]["name"] != naloxone.sub_working_group.name  # French


def test_the_detail_page_shows_a_reviewed_translation_and_the_english_original(client, naloxone):
    html = client.get("/fr/initiatives/3210/").content.decode()
    assert f'<h1 id="initiative-title" lang="fr">{FRENCH_TITLE}</h1>' in html
    assert 'href="#english-original"' in html
    original = html.split('id="english-original"')[1]
    assert naloxone.title in original and 'lang="en"' in original
    spanish = client.get("/es/initiatives/3210/").content.decode()
    assert "Borrador sin revisar" not in spanish
    assert f'<h1 id="initiative-title" lang="en" dir="ltr">{naloxone.title}</h1>' in spanish


def test_a_search_in_another_language_says_what_it_searched_for(client, catalogue):
    html = client.get("/es/", {"q": "alerta temprana"}).content.decode()
    searched = html.split('class="searched-for"')[1].split("</p>")[0]
    assert "early warning" in searched
    assert "did-you-mean" not in html


def test_the_api_falls_back_to_english_without_a_reviewed_translation(client, naloxone):
    data = client.get("/api/initiatives/3210/", HTTP_ACCEPT_LANGUAGE="es").json()
    assert data["title"] == naloxone.title
    assert data["field_languages"] == {"title": "en", "description": "en"}


def test_a_reviewed_translation_is_searchable_in_its_language(naloxone):
    # "primo-intervenants" is in the French translation only (stemmed: "primo-intervenant").
    with translation.override("fr"):
        assert ranked_codes("primo-intervenant") == ["3210"]
    with translation.override("en"):
        assert "3210" not in ranked_codes("primo-intervenant")


def test_an_unreviewed_translation_is_not_searched(naloxone):
    with translation.override("es"):
        assert "3210" not in ranked_codes("borrador")


def test_an_editor_adds_a_translation_in_the_admin_and_reviews_it(client, catalogue):
    sign_in_with_second_factor(client, staff("editor", "translator"))
    initiative = Initiative.objects.get(code="2114")
    english = (initiative.title, initiative.description)
    page = client.get(f"/admin/initiatives/initiative/{initiative.pk}/change/").content.decode()
    assert 'name="translations-__prefix__-translated_title"' in page
    assert '<option value="zh-hans">Chinese (Simplified)</option>' in page
    form = admin_change_form(
        initiative,
        **{
            "translations-TOTAL_FORMS": "1",
            "translations-0-language_code": "ru",
            "translations-0-translated_title": "Анализ сточных вод",
            "translations-0-translated_description": "Перевод описания.",
            "translations-0-reviewed": "on",
        },
    )
    response = client.post(f"/admin/initiatives/initiative/{initiative.pk}/change/", form)
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert (initiative.title, initiative.description) == english
    assert initiative.reviewed_translation("ru").translated_title == "Анализ сточных вод"


def test_a_reviewed_translation_without_a_title_is_refused_and_nothing_is_saved(client, catalogue):
    sign_in_with_second_factor(client, staff("editor", "translator"))
    initiative = Initiative.objects.get(code="2114")
    form = admin_change_form(
        initiative,
        title="Changed at the same time",
        **{
            "translations-TOTAL_FORMS": "1",
            "translations-0-language_code": "fr",
            "translations-0-translated_title": "",
            "translations-0-translated_description": "Sans titre.",
            "translations-0-reviewed": "on",
        },
    )
    response = client.post(f"/admin/initiatives/initiative/{initiative.pk}/change/", form)
    assert response.status_code == 200
    assert "A reviewed translation needs a title." in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.title != "Changed at the same time"
    assert not initiative.translations.exists()


def test_result_cards_show_the_reviewed_translation_in_its_language(client, naloxone):
    card = client.get("/fr/").content.decode().split('id="i-3210"')[1].split("</li>")[0]
    assert f'<span lang="fr">{FRENCH_TITLE}</span>' in card
    assert 'class="excerpt" lang="fr"' in card
    search = client.get("/fr/", {"q": "naloxone"}).content.decode()
    assert FRENCH_TITLE in search.split('id="i-3210"')[1].split("</li>")[0]
    english = client.get("/").content.decode().split('id="i-3210"')[1].split("</li>")[0]
    assert FRENCH_TITLE not in english and naloxone.title in english
    spanish = client.get("/es/").content.decode().split('id="i-3210"')[1].split("</li>")[0]
    assert "Borrador sin revisar" not in spanish
