"""Matching, ranking and highlighting (initiatives/search/engine.py), as the list page shows them:
prefixes, partial matches and fallbacks, title above description, the bounded ranked set, and
highlights that keep the text as written."""

import re

import pytest

from initiatives import listing, querysets
from initiatives.models import Initiative
from tests.factories import make_initiative
from tests.search.results import found, ranked_codes

pytestmark = pytest.mark.django_db


def test_title_matches_rank_above_description_matches(client, catalogue):
    codes = found(client, "wastewater")
    in_title = set(
        Initiative.objects.filter(title__icontains="wastewater").values_list("code", flat=True)
    )
    assert in_title and set(codes[: len(in_title)]) == in_title


def test_prefixes_match(client, catalogue):
    assert set(found(client, "precurs")) >= set(found(client, "precursor"))


@pytest.mark.parametrize("prefix", ["precurs", "forens", "wastewat", "naloxon", "interdict", "pre"])
def test_a_prefix_finds_every_initiative_with_a_word_it_begins(client, catalogue, prefix):
    """Prefixes are matched as the catalogue's words they begin: none may be missed."""
    beginning = re.compile(rf"\b{prefix}", re.IGNORECASE)
    expected = {
        initiative.code
        for initiative in Initiative.objects.published()
        if beginning.search(
            f"{initiative.title} {initiative.search_keywords} {initiative.description}"
        )
    }
    assert expected
    assert set(found(client, prefix)) == expected


def test_a_question_typed_in_full_finds_partial_matches(client, catalogue):
    html = client.get("/", {"q": "how can our forensic lab identify new substances"}).content
    codes = found(client, "how can our forensic lab identify new substances")
    assert "1203" in codes[:3]  # Training Course on the Analysis of NPS for Forensic Experts
    assert b"matching some of your words" in html or len(codes) < 10


def test_an_english_alternative_of_the_thesaurus_finds_the_catalogue_words(client, catalogue):
    # No initiative says "money laundering"; the thesaurus sends it to 2116's "drug-related
    # money flows", and "drug courts" to the alternatives to incarceration.
    assert found(client, "money laundering")[0] == "2116"
    html = client.get("/", {"q": "money laundering"}).content.decode()
    assert 'id="partial"' not in html
    assert {"3301", "3303"} <= set(found(client, "drug courts")[:6])


def test_a_query_with_a_catalogue_word_among_unknown_ones_finds_it(catalogue):
    assert "2116" in ranked_codes("zzyzx qwerty money")


def test_matches_are_highlighted_and_escaped(client, catalogue):
    initiative = make_initiative(description="<b>naloxone</b> & opioid overdose management")
    html = client.get("/", {"q": "naloxone"}).content.decode()
    entry = html.split(f'id="i-{initiative.code}"')[1].split("</li>")[0]
    excerpt = entry.split('<p class="excerpt"')[1]
    assert "<mark>naloxone</mark>" in excerpt and "&amp; opioid" in excerpt
    assert "<b>" not in entry and "\x02" not in entry and "\x03" not in entry


def test_highlighting_keeps_the_original_case(client, catalogue):
    html = client.get("/", {"q": "INLOD"}).content.decode()
    assert "<mark>INLOD</mark>" in html


def test_accented_words_are_highlighted_as_written(client, catalogue):
    # Headlines fold accents only in texts that have some (engine._headline).
    accented = make_initiative(
        description="Naloxone – “take-home” kits for Côte d’Ivoire and São Tomé."
    )
    plain = make_initiative(description="Naloxone – “take-home” kits.")
    html = client.get("/", {"q": "naloxone cote tome"}).content.decode()
    entry = html.split(f'id="i-{accented.code}"')[1].split("</li>")[0]
    assert "<mark>Côte</mark> d’Ivoire and São <mark>Tomé</mark>" in entry
    html = client.get("/", {"q": "naloxone take-home"}).content.decode()
    entry = html.split(f'id="i-{plain.code}"')[1].split("</li>")[0]
    assert "<mark>Naloxone</mark> – “<mark>take</mark>-<mark>home</mark>” kits" in entry


def test_the_page_lists_the_querysets_ranking(client, catalogue):
    for query in ("naloxone", "precursor disposal", "early warning Americas", "training"):
        assert found(client, query) == ranked_codes(query), query
    html = client.get("/", {"q": "training"}).content.decode()
    assert 'id="capped-note"' not in html


def test_beyond_the_search_limit_the_best_of_a_bounded_set_are_ranked_and_it_says_so(
    client, catalogue, monkeypatch
):
    monkeypatch.setattr(querysets, "SEARCH_LIMIT", 5)
    monkeypatch.setattr(listing, "SEARCH_LIMIT", 5)
    everything = ranked_codes("training")
    assert len(everything) > 6
    codes = found(client, "training")
    # Five of the matches, ranked as in the full ranking.
    assert len(codes) == 5 and set(codes) <= set(everything)
    assert codes == [code for code in everything if code in codes]
    html = client.get("/", {"q": "training"}).content.decode()
    assert "5+ initiatives found" in html and 'id="capped-note"' in html
    assert "more than 5 initiatives" in html
    counts = re.findall(r'data-facet="group-[0-9-]+">\((\d+)\)', html)
    assert sum(map(int, counts)) == 5  # the facets count the results listed
    # The API's count stops one beyond the limit: more than 5.
    api = client.get("/api/initiatives/", {"q": "training", "page_size": 100}).json()
    assert api["count"] == 6
