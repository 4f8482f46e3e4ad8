"""Relevance on the judged query set (search_judgments.json, beside this file), measured by
benchmarks/relevance.py against a BM25 baseline: the metrics, the floor, the printed table."""

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
from tests.search.results import ranked_codes

pytestmark = pytest.mark.django_db
JUDGMENTS = Path(__file__).with_name("search_judgments.json")
JUDGED = json.loads(JUDGMENTS.read_text(encoding="utf-8"))["queries"]
# The floor reached on the judged set (0.868 when it was set); a drop below it fails the suite.
NDCG_FLOOR = 0.85
CROSSLINGUAL = Path(__file__).with_name("crosslingual_judgments.json")
# Across the five other languages (0.792 when set, each language 0.738 to 0.830), and at most
# one query in twenty with nothing found.
CROSSLINGUAL_FLOOR = 0.75
LANGUAGE_FLOOR = 0.65
ZERO_RESULT_CEILING = 0.05


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


def test_queries_in_the_other_languages_find_the_english_initiatives(catalogue):
    judgments = load_judgments(CROSSLINGUAL)
    scores = evaluate(judgments, catalogue_ranker)
    assert scores.ndcg >= CROSSLINGUAL_FLOOR, f"cross-lingual nDCG@10 {scores.ndcg:.3f}"
    assert scores.zero_rate <= ZERO_RESULT_CEILING
    for language, (subset, language_scores) in relevance.per_language(judgments).items():
        assert len(subset) >= 8
        assert language_scores.ndcg >= LANGUAGE_FLOOR, (language, language_scores.ndcg)


def test_the_evaluation_prints_its_table(catalogue, capsys):
    relevance.main([])
    text = capsys.readouterr().out
    assert re.search(r"nDCG@10\s+0\.\d{3}\s+0\.\d{3}", text)
    assert "zero-result rate" in text and "MRR" in text
    for language in ("fr", "es", "ru", "ar", "zh"):
        assert re.search(
            rf"^{language}\s+\d+\s+[01]\.\d{{3}}\s+[01]\.\d{{3}}\s+\d+\.\d%$", text, re.M
        )


@pytest.mark.parametrize("query", [q["query"] for q in JUDGED])
def test_no_judged_query_ends_with_zero_results(catalogue, query):
    assert ranked_codes(query)
