"""Search on the real catalogue: what officials type finds what they mean."""

import re
from pathlib import Path

import pytest
from django.db import connection

from benchmarks import relevance
from benchmarks.relevance import (
    bm25_ranker,
    catalogue_ranker,
    evaluate,
    load_judgments,
    ndcg_at,
    reciprocal_rank,
)
from initiatives.models import Initiative, Organization
from initiatives.search import engine

pytestmark = pytest.mark.django_db
JUDGMENTS = Path(__file__).with_name("search_judgments.json")
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


def full_ranking(query: str) -> list[str]:
    """Every match ranked with the full search vector: the order before ranking was bounded."""
    organizations = list(Organization.objects.values_list("acronym", "name"))
    outcome = engine.search(Initiative.objects.published(), query, organizations)
    order = ["-coverage"] if outcome.relaxed else []
    return list(outcome.queryset.order_by(*order, "-rank", "code").values_list("code", flat=True))


def test_up_to_the_rank_depth_the_order_is_the_full_ranking(client, catalogue):
    for query in ("naloxone", "precursor disposal", "early warning Americas", "training"):
        assert found(client, query) == full_ranking(query), query
    html = client.get("/", {"q": "training"}).content.decode()
    assert 'id="ranking-note"' not in html


def test_beyond_the_rank_depth_the_best_first_pass_matches_are_ranked_and_it_says_so(
    client, catalogue, monkeypatch
):
    monkeypatch.setattr(engine, "RANK_DEPTH", 5)
    codes = found(client, "training")
    assert len(codes) > 5 and sorted(codes) == sorted(full_ranking("training"))
    organizations = list(Organization.objects.values_list("acronym", "name"))
    outcome = engine.search(Initiative.objects.published(), "training", organizations)
    first_pass = list(
        outcome.queryset.order_by("-head_rank", "code").values_list("code", "rank", "head_rank")
    )
    head, rest = first_pass[:5], first_pass[5:]
    # The first pass's best five, ranked in full; then the rest in the first pass's order.
    assert codes[:5] == [code for code, *_ in sorted(head, key=lambda row: (-row[1], row[0]))]
    assert codes[5:] == [code for code, *_ in rest]
    html = client.get("/", {"q": "training"}).content.decode()
    assert 'id="ranking-note"' in html and "the best 5 are picked" in html
    by_code = client.get("/", {"q": "training", "sort": "code"}).content.decode()
    assert 'id="ranking-note"' not in by_code


def test_asking_whether_status_and_regions_are_carried_reads_two_small_indexes(catalogue):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the plan a large catalogue gets
        cursor.execute("EXPLAIN " + Initiative.objects.carried_facets_sql())
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "initiative_published_status" in plan and "initiative_published_regions" in plan
