"""Measure search relevance on a judged query set, against a plain BM25 baseline.

``python -m benchmarks.relevance [--judgments F] [--crosslingual F] [--per-query]``
(``make evaluate-search``) prints nDCG@10, MRR and the zero-result rate of the catalogue's search
and of BM25 over the same text, then the same per language on the cross-lingual set: queries in
French, Spanish, Russian, Arabic and Chinese judged by the English initiatives they should find,
each asked on a page in its language. The catalogue is asked through ``catalogue_ranker()``
alone: the list page's own search.

The judged set (``tests/search/search_judgments.json``) grades, for each realistic query, the
relevant initiatives 1 (marginal) to 3 (exactly what was asked). Metrics, at a cutoff of 10:

* nDCG@10 with gains 2^grade - 1, ideal ranking from all judged initiatives;
* MRR: 1 / rank of the first result graded 2 or 3 (0 when none is in the top 10);
* zero-result rate: share of queries for which nothing at all is returned.
"""

import argparse
import json
import math
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import translation
from rank_bm25 import BM25Okapi

from benchmarks.support import run
from initiatives.models import Initiative
from initiatives.search.text import is_stop_word, words

CUTOFF = 10
RANKED = 2 * CUTOFF  # results asked of each ranker
DEFAULT_JUDGMENTS = settings.BASE_DIR / "tests" / "search" / "search_judgments.json"
CROSSLINGUAL_JUDGMENTS = settings.BASE_DIR / "tests" / "search" / "crosslingual_judgments.json"
# The judged sets' language codes and the site's.
PAGE_LANGUAGE = {"en": "en", "fr": "fr", "es": "es", "ru": "ru", "ar": "ar", "zh": "zh-hans"}


@dataclass
class Judgment:
    query: str
    kind: str
    grades: dict[str, int]
    language: str = "en"


def load_judgments(path: Path) -> list[Judgment]:
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    return [
        Judgment(
            item["query"],
            item.get("kind", "topic"),
            {code: int(g) for code, g in item["relevant"].items()},
            item.get("language", "en"),
        )
        for item in document["queries"]
    ]


def dcg(gains: list[float]) -> float:
    return sum(gain / math.log2(position + 2) for position, gain in enumerate(gains))


def ndcg_at(ranked: list[str], grades: dict[str, int], cutoff: int = CUTOFF) -> float:
    gains = [2 ** grades.get(code, 0) - 1 for code in ranked[:cutoff]]
    ideal = sorted((2**grade - 1 for grade in grades.values()), reverse=True)[:cutoff]
    return dcg(gains) / dcg(ideal) if ideal else 0.0


def reciprocal_rank(ranked: list[str], grades: dict[str, int], cutoff: int = CUTOFF) -> float:
    for position, code in enumerate(ranked[:cutoff], start=1):
        if grades.get(code, 0) >= 2:
            return 1 / position
    return 0.0


@dataclass
class Scores:
    ndcg: float
    mrr: float
    zero_rate: float
    per_kind: dict[str, float] = field(default_factory=dict)
    per_query: list[tuple[str, float, int]] = field(default_factory=list)


def evaluate(judgments: list[Judgment], ranker) -> Scores:
    """``ranker(query) -> list of codes``, best first."""
    ndcgs, rrs, zeros = [], [], 0
    by_kind: dict[str, list[float]] = defaultdict(list)
    per_query = []
    for judgment in judgments:
        with translation.override(PAGE_LANGUAGE[judgment.language]):
            ranked = ranker(judgment.query)
        score = ndcg_at(ranked, judgment.grades)
        ndcgs.append(score)
        rrs.append(reciprocal_rank(ranked, judgment.grades))
        zeros += not ranked
        by_kind[judgment.kind].append(score)
        per_query.append((judgment.query, score, len(ranked)))
    count = len(judgments)
    return Scores(
        ndcg=sum(ndcgs) / count,
        mrr=sum(rrs) / count,
        zero_rate=zeros / count,
        per_kind={kind: sum(values) / len(values) for kind, values in sorted(by_kind.items())},
        per_query=per_query,
    )


def catalogue_ranker(query: str) -> list[str]:
    """The codes the list page shows for ``query``, best first (its first ``RANKED``): the one
    place the evaluation calls the catalogue's search."""
    results = Initiative.objects.published().search(query).ranked()
    return list(results.values_list("code", flat=True)[:RANKED])


def bm25_tokens(text: str) -> list[str]:
    """Lower-cased words without diacritics or stop words, split as the search splits them."""
    return [word for word in words(text) if not is_stop_word(word)]


class BM25Baseline:
    """Okapi BM25 over the same text (title, organizations and codes, description)."""

    def __init__(self, documents: dict[str, str]):
        self.codes = list(documents)
        self.index = BM25Okapi([bm25_tokens(documents[code]) for code in self.codes])

    def __call__(self, query: str) -> list[str]:
        scores = self.index.get_scores(bm25_tokens(query))
        ranked = sorted(zip(self.codes, scores, strict=True), key=lambda pair: -pair[1])
        return [code for code, score in ranked if score > 0][:RANKED]


def bm25_ranker() -> BM25Baseline:
    """BM25 over each published initiative's title, keywords and description."""
    documents = {
        initiative.code: " ".join(
            [initiative.title, initiative.search_keywords, initiative.description]
        )
        for initiative in Initiative.objects.published()
    }
    return BM25Baseline(documents)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.relevance",
        description="Print nDCG@10, MRR and zero-result rate of the search, and of a plain BM25 "
        "baseline.",
    )
    parser.add_argument("--judgments", type=Path, default=DEFAULT_JUDGMENTS)
    parser.add_argument("--crosslingual", type=Path, default=CROSSLINGUAL_JUDGMENTS)
    parser.add_argument("--per-query", action="store_true", help="List every query's nDCG.")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    options = parse_args(argv)
    judged = load_judgments(options.judgments)
    ours = evaluate(judged, catalogue_ranker)
    baseline = evaluate(judged, bm25_ranker())
    print(f"{len(judged)} judged queries ({options.judgments.name})\n")
    print(f"{'':<22}{'catalogue':>10}{'BM25':>10}")
    for label, attribute in (
        ("nDCG@10", "ndcg"),
        ("MRR", "mrr"),
        ("zero-result rate", "zero_rate"),
    ):
        print(f"{label:<22}{getattr(ours, attribute):>10.3f}{getattr(baseline, attribute):>10.3f}")
    for kind, score in ours.per_kind.items():
        print(f"  nDCG@10 {kind:<14}{score:>10.3f}{baseline.per_kind[kind]:>10.3f}")
    if options.per_query:
        print_per_query(ours, baseline)
    crosslingual = load_judgments(options.crosslingual)
    print(f"\n{len(crosslingual)} cross-lingual queries ({options.crosslingual.name})\n")
    print(f"{'':<14}{'queries':>8}{'nDCG@10':>10}{'MRR':>8}{'zero-result':>13}")
    print(f"{'en':<14}{len(judged):>8}{ours.ndcg:>10.3f}{ours.mrr:>8.3f}{ours.zero_rate:>13.1%}")
    everything = evaluate(crosslingual, catalogue_ranker)
    for language, scores in per_language(crosslingual).items():
        print(
            f"{language:<14}{len(scores[0]):>8}{scores[1].ndcg:>10.3f}{scores[1].mrr:>8.3f}"
            f"{scores[1].zero_rate:>13.1%}"
        )
    print(
        f"{'all but en':<14}{len(crosslingual):>8}{everything.ndcg:>10.3f}{everything.mrr:>8.3f}"
        f"{everything.zero_rate:>13.1%}"
    )
    if options.per_query:
        print_per_query(everything, evaluate(crosslingual, bm25_ranker()))


def per_language(judged: list[Judgment]) -> dict[str, tuple[list[Judgment], Scores]]:
    languages = dict.fromkeys(judgment.language for judgment in judged)
    result = {}
    for language in languages:
        subset = [judgment for judgment in judged if judgment.language == language]
        result[language] = (subset, evaluate(subset, catalogue_ranker))
    return result


def print_per_query(ours: Scores, baseline: Scores) -> None:
    print()
    for (query, score, found), (_, base, base_found) in zip(
        ours.per_query, baseline.per_query, strict=True
    ):
        print(f"{score:6.3f} ({found:>3}) {base:6.3f} ({base_found:>3})  {query}")


if __name__ == "__main__":
    sys.exit(run(main))
