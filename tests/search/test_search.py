"""Search on the real catalogue: what officials type finds what they mean."""

import json
import re
from pathlib import Path

import pytest

from benchmarks import relevance
from benchmarks.relevance import (
    bm25_ranker,
    catalogue_ranker,
    evaluate,
    load_judgments,
    ndcg_at,
    reciprocal_rank,
)
from initiatives import listing, querysets
from initiatives.models import Initiative

pytestmark = pytest.mark.django_db
JUDGMENTS = Path(__file__).with_name("search_judgments.json")
JUDGED = json.loads(JUDGMENTS.read_text(encoding="utf-8"))["queries"]
# The floor reached on the judged set (0.868 when it was set); a drop below it fails the suite.
NDCG_FLOOR = 0.85


def found(client, query: str) -> list[str]:
    """Every result, in order, across the pages of results."""
    codes, page = [], 1
    while True:
        response = client.get("/", {"q": query, "page": page})
        assert response.status_code == 200
        html = response.content.decode()
        codes += re.findall(r'<li class="initiative" id="i-([0-9A-Z]+)"', html)
        if 'rel="next"' not in html:
            return codes
        page += 1


def test_the_examples_from_the_brief_find_their_initiatives(client, catalogue):
    assert found(client, "naloxone")[0] == "3210"
    assert "2103" in found(client, "early warning Americas")[:3]
    disposal = found(client, "precursor disposal")
    assert disposal and all(code.startswith("1") for code in disposal[:3])


def test_title_matches_rank_above_description_matches(client, catalogue):
    codes = found(client, "wastewater")
    in_title = set(
        Initiative.objects.filter(title__icontains="wastewater").values_list("code", flat=True)
    )
    assert in_title and set(codes[: len(in_title)]) == in_title


def test_acronyms_and_expansions_find_each_other(client, catalogue):
    nps, expanded = found(client, "NPS"), found(client, "new psychoactive substances")
    assert nps and set(nps) == set(expanded)
    assert "2103" in found(client, "EWS")  # its title says "Early Warning Systems"
    assert "3301" in found(client, "alternatives to incarceration")  # title says "ATI"
    cicad = found(client, "Inter-American Drug Abuse Control Commission")
    assert set(found(client, "CICAD")) <= set(cicad) | set(found(client, "CICAD"))
    led = set(
        Initiative.objects.filter(lead_organization__acronym="OAS/CICAD").values_list(
            "code", flat=True
        )
    )
    assert led <= set(found(client, "CICAD"))
    who = set(
        Initiative.objects.filter(lead_organization__acronym="WHO").values_list("code", flat=True)
    )
    assert who and who <= set(found(client, "WHO"))


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


def test_misspellings_still_find_results_and_offer_the_right_spelling(client, catalogue):
    for typo, word in (("fentanil", "fentanyl"), ("precurser", "precursor")):
        response = client.get("/", {"q": typo})
        html = response.content.decode()
        assert found(client, typo), typo
        assert f'Did you mean <a href="?q={word}">{word}</a>?' in html
    assert found(client, "naloxon") == found(client, "naloxone")


def test_search_syntax_phrases_or_and_exclusion(client, catalogue):
    americas = set(found(client, '"early warning" americas'))
    without = set(found(client, '"early warning" -americas'))
    assert "2103" in americas and without and "2103" not in without
    for initiative in Initiative.objects.filter(code__in=without):
        text = f"{initiative.title} {initiative.description} {initiative.search_keywords}"
        assert "americas" not in text.lower()
    either = set(found(client, "captagon or wastewater"))
    assert either == set(found(client, "captagon")) | set(found(client, "wastewater"))


def test_a_question_typed_in_full_finds_partial_matches(client, catalogue):
    html = client.get("/", {"q": "how can our forensic lab identify new substances"}).content
    codes = found(client, "how can our forensic lab identify new substances")
    assert "1203" in codes[:3]  # Training Course on the Analysis of NPS for Forensic Experts
    assert b"matching some of your words" in html or len(codes) < 10


def test_matches_are_highlighted_and_escaped(client, catalogue):
    Initiative.objects.filter(code="3210").update(
        description="<b>naloxone</b> & opioid overdose management"
    )
    html = client.get("/", {"q": "naloxone"}).content.decode()
    entry = html.split('id="i-3210"')[1].split("</li>")[0]
    excerpt = entry.split('<p class="excerpt">')[1]
    assert "<mark>naloxone</mark>" in excerpt and "&amp; opioid" in excerpt
    assert "<b>" not in entry and "\x02" not in entry and "\x03" not in entry


def test_highlighting_keeps_the_original_case(client, catalogue):
    html = client.get("/", {"q": "INLOD"}).content.decode()
    assert "<mark>INLOD</mark>" in html


def test_accented_words_are_highlighted_as_written(client, catalogue):
    # Headlines fold accents only in texts that have some (engine._headline).
    Initiative.objects.filter(code="3210").update(
        description="Naloxone – “take-home” kits for Côte d’Ivoire and São Tomé."
    )
    Initiative.objects.filter(code="3209").update(description="Naloxone – “take-home” kits.")
    html = client.get("/", {"q": "naloxone cote tome"}).content.decode()
    entry = html.split('id="i-3210"')[1].split("</li>")[0]
    assert "<mark>Côte</mark> d’Ivoire and São <mark>Tomé</mark>" in entry
    html = client.get("/", {"q": "naloxone take-home"}).content.decode()
    entry = html.split('id="i-3209"')[1].split("</li>")[0]
    assert "<mark>Naloxone</mark> – “<mark>take</mark>-<mark>home</mark>” kits" in entry


def test_an_empty_search_explains_itself(client, catalogue):
    html = client.get("/", {"q": "zzqxv", "group": "1.1"}).content.decode()
    assert "No initiatives match “zzqxv” with these filters" in html
    assert "Remove “1.1 Manufacturing" in html
    assert "Browse all initiatives" in html


def test_hostile_search_text_is_harmless(client, catalogue):
    for text in ["'); DROP TABLE x; --", "a & b | !c", "<script>x</script>", "\u0000", "é" * 300]:
        response = client.get("/", {"q": text})
        assert response.status_code == 200
        assert "<script>x</script>" not in response.content.decode()
    assert Initiative.objects.count() == 118


def test_the_metrics_are_computed_correctly():
    grades = {"A": 3, "B": 1}
    assert ndcg_at(["A", "B"], grades) == pytest.approx(1.0)
    assert ndcg_at(["B", "A"], grades) < 1.0
    assert ndcg_at(["X"], grades) == 0.0
    assert reciprocal_rank(["X", "B", "A"], grades) == pytest.approx(1 / 3)


def test_relevance_on_the_judged_queries_stays_above_the_floor(catalogue):
    judgments = load_judgments(JUDGMENTS)
    assert len(judgments) >= 40
    ours = evaluate(judgments, catalogue_ranker)
    baseline = evaluate(judgments, bm25_ranker())
    assert ours.ndcg >= NDCG_FLOOR, f"nDCG@10 {ours.ndcg:.3f} fell below {NDCG_FLOOR}"
    assert ours.ndcg > baseline.ndcg
    assert ours.zero_rate == 0.0


def test_the_evaluation_prints_its_table(catalogue, capsys):
    relevance.main([])
    text = capsys.readouterr().out
    assert re.search(r"nDCG@10\s+0\.\d{3}\s+0\.\d{3}", text)
    assert "zero-result rate" in text and "MRR" in text


def ranked_codes(query: str) -> list[str]:
    """Every match, ranked, straight from the QuerySet."""
    return list(
        Initiative.objects.published().search(query).ranked().values_list("code", flat=True)
    )


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
    assert sum(map(int, counts)) == 6  # the bounded set: one beyond the limit tells there is more
    api = client.get("/api/initiatives/", {"q": "training", "page_size": 100}).json()
    assert api["count"] == 6


def test_a_known_phrase_that_finds_nothing_falls_back_to_its_words(client, catalogue):
    # "money laundering" is a phrase of the synonyms, and no initiative says it (nor its
    # synonyms); "money" is in 2116's title.
    assert "2116" in found(client, "money laundering")
    html = client.get("/", {"q": "money laundering"}).content.decode()
    assert 'id="partial"' in html  # listed as matching some of the words


@pytest.mark.parametrize("query", [q["query"] for q in JUDGED])
def test_no_judged_query_ends_with_zero_results(catalogue, query):
    assert ranked_codes(query)


def test_a_query_with_a_catalogue_word_among_unknown_ones_finds_it(catalogue):
    assert "2116" in ranked_codes("zzyzx qwerty money")
