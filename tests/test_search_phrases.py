"""Phrases indexed as single words: the same initiatives as the phrase itself, kept in step."""

import pytest
from django.db import connection

from initiatives.models import Initiative, Organization, SearchPhrase
from initiatives.search import engine, phrases

pytestmark = pytest.mark.django_db


def matching(query: str) -> set[str]:
    return set(
        Initiative.objects.filter(search_vector=engine.ts(query)).values_list("code", flat=True)
    )


def tagged(words: str) -> set[str]:
    pk = SearchPhrase.objects.get(words=words).pk
    return matching(f"'{phrases.token(pk)}'")


def in_heads(query: str) -> set[str]:
    return set(
        Initiative.objects.filter(search_head=engine.ts(query)).values_list("code", flat=True)
    )


def test_every_listed_phrase_finds_exactly_the_initiatives_holding_it(catalogue):
    listed = list(SearchPhrase.objects.all())
    assert len(listed) > 50  # the synonyms' phrases and the organizations' names
    found_somewhere = 0
    for phrase in listed:
        assert tagged(phrase.words) == matching(phrase.query), phrase.words
        head_word = phrases.head_token(phrases.token(phrase.pk))
        assert in_heads(f"'{head_word}'") == in_heads(phrase.query), phrase.words
        found_somewhere += bool(matching(phrase.query))
    assert found_somewhere > 10


def test_a_query_asks_for_the_indexed_word_and_ranks_with_the_phrase(catalogue):
    organizations = list(Organization.objects.values_list("acronym", "name"))
    parsed = engine.build_query("NPS", organizations)
    pk = SearchPhrase.objects.get(words="new psychoactive substances").pk
    assert f"'{phrases.token(pk)}'" in parsed.all_tsquery
    assert "'new' <-> 'psychoactive' <-> 'substances'" in parsed.any_tsquery
    # search_head has its own phrase words: those found in titles and keywords.
    assert "zzphrase" not in parsed.head_tsquery
    assert f"'{phrases.head_token(phrases.token(pk))}'" in parsed.head_tsquery


def test_a_new_or_edited_initiative_is_indexed_with_its_phrases(catalogue):
    initiative = Initiative.objects.get(code="1101")
    initiative.description += "\n\nIt also covers designer drugs."
    initiative.save()
    assert "1101" in tagged("designer drugs")
    initiative.description = initiative.description.replace("designer drugs", "other things")
    initiative.save()
    assert "1101" not in tagged("designer drugs")


def test_a_new_organization_name_is_listed_and_indexed_where_it_already_appears(catalogue):
    initiative = Initiative.objects.get(code="2101")
    with connection.cursor() as cursor:  # a write no Python code sees: the trigger still does
        cursor.execute(
            "UPDATE initiatives_initiative SET description = description || %s WHERE id = %s",
            [" Supported by the Andean Drug Observatory Network.", initiative.pk],
        )
    assert not SearchPhrase.objects.filter(words="andean drug observatory network").exists()
    Organization.objects.create(acronym="ADON", name="Andean Drug Observatory Network")
    assert tagged("andean drug observatory network") == {"2101"}
    assert "2101" in [
        code
        for (code,) in Initiative.objects.filter(
            search_vector=engine.ts(
                engine.build_query(
                    "ADON", [("ADON", "Andean Drug Observatory Network")]
                ).all_tsquery
            )
        ).values_list("code")
    ]
