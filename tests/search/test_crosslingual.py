"""A query in French, Spanish, Russian, Arabic or Chinese finds the English initiatives through
the thesaurus (initiatives/search/thesaurus.toml), on the real catalogue."""

import pytest
from django.utils import translation

from initiatives.models import Initiative
from initiatives.search.thesaurus import TermIndex, parse_thesaurus
from tests.search.results import ranked_codes

pytestmark = pytest.mark.django_db


def parsed(query: str, language: str = "en"):
    with translation.override(language):
        return Initiative.objects.search_context().parse(query, language)


def codes_for(query: str, language: str) -> list[str]:
    with translation.override(language):
        return ranked_codes(query)


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("alerta temprana", "es"),
        ("alerte précoce", "fr"),
        ("alerte precoce", "fr"),  # typed without accents
        ("система раннего предупреждения", "ru"),
        ("раннее предупреждение", "en"),  # the script says the language, whatever the page's
        ("نظام الإنذار المبكر", "ar"),
        ("الانذار المبكر", "ar"),  # without the hamza
        ("预警系统", "zh-hans"),
    ],
)
def test_early_warning_in_every_language_finds_what_english_finds(catalogue, query, language):
    english = ranked_codes("early warning")
    found = codes_for(query, language)
    assert found, query
    assert set(found[:5]) <= set(english), (query, found[:5])
    assert "early warning" in parsed(query, language).searched_for


def test_a_spanish_query_gets_no_english_spelling_suggestion(catalogue):
    query = parsed("alerta temprana", "es")
    assert query.corrected_text is None
    assert [concept.id for concept in query.concepts] == ["early-warning"]


def test_chinese_without_spaces_is_cut_into_known_terms(catalogue):
    query = parsed("纳洛酮预警", "zh-hans")
    assert {concept.id for concept in query.concepts} >= {"naloxone", "early-warning"}


def test_an_english_word_on_an_english_page_stays_english(catalogue):
    # "prevention" is also French; on an English page it is searched as typed, with no concept.
    query = parsed("prevention", "en")
    assert query.concepts == []
    assert ranked_codes("prevention")


def test_a_word_of_no_language_known_finds_nothing_rather_than_anything(catalogue):
    assert codes_for("абракадабра", "ru") == []
    assert codes_for("الخربشة", "ar") == []


def test_thesaurus_terms_are_stemmed_like_the_query(db):
    concepts = parse_thesaurus(
        """
[[concept]]
id = "clandestine-laboratories"
en = ["clandestine laboratories"]
fr = ["laboratoire clandestin"]
es = ["laboratorio clandestino"]
ru = ["подпольная лаборатория"]
ar = ["المختبرات السرية"]
zh = ["秘密实验室"]
"""
    )
    index = TermIndex.build(concepts)
    for text, language in [
        ("laboratoires clandestins", "fr"),
        ("laboratorios clandestinos", "es"),
        ("подпольных лабораторий", "ru"),
        ("مختبرات سرية", "ar"),
    ]:
        matches = index.find(text, language)
        assert [m.concept.id for m in matches] == ["clandestine-laboratories"], text
    assert index.find("laboratoires", "fr") == []  # half a term is not the concept


def test_a_thesaurus_entry_without_every_language_is_refused():
    with pytest.raises(ValueError, match="broken has no ar"):
        parse_thesaurus(
            '[[concept]]\nid = "broken"\nen = ["x"]\nfr = ["x"]\nes = ["x"]\nru = ["х"]\n'
            'zh = ["某某"]\n'
        )
