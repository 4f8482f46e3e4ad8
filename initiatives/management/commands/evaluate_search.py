from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from initiatives.models import Initiative
from initiatives.search.evaluation import BM25Baseline, evaluate, load_judgments

DEFAULT_JUDGMENTS = settings.BASE_DIR / "tests" / "search_judgments.json"


def catalogue_ranker(query: str) -> list[str]:
    results = Initiative.objects.published().search(query).ranked()
    return list(results.values_list("code", flat=True)[:20])


def bm25_ranker() -> BM25Baseline:
    documents = {
        initiative.code: " ".join(
            [initiative.title, initiative.search_keywords, initiative.description]
        )
        for initiative in Initiative.objects.published()
    }
    return BM25Baseline(documents)


class Command(BaseCommand):
    help = "Print nDCG@10, MRR and zero-result rate of the search, and of a plain BM25 baseline."

    def add_arguments(self, parser):
        parser.add_argument("--judgments", type=Path, default=DEFAULT_JUDGMENTS)
        parser.add_argument("--per-query", action="store_true", help="List every query's nDCG.")

    def handle(self, *args, judgments: Path, per_query: bool, **options):
        judged = load_judgments(judgments)
        ours = evaluate(judged, catalogue_ranker)
        baseline = evaluate(judged, bm25_ranker())
        self.stdout.write(f"{len(judged)} judged queries ({judgments.name})\n")
        self.stdout.write(f"{'':<22}{'catalogue':>10}{'BM25':>10}")
        for label, attribute in (
            ("nDCG@10", "ndcg"),
            ("MRR", "mrr"),
            ("zero-result rate", "zero_rate"),
        ):
            self.stdout.write(
                f"{label:<22}{getattr(ours, attribute):>10.3f}{getattr(baseline, attribute):>10.3f}"
            )
        for kind, score in ours.per_kind.items():
            self.stdout.write(f"  nDCG@10 {kind:<14}{score:>10.3f}{baseline.per_kind[kind]:>10.3f}")
        if per_query:
            self.stdout.write("")
            for (query, score, found), (_, base, base_found) in zip(
                ours.per_query, baseline.per_query, strict=True
            ):
                self.stdout.write(
                    f"{score:6.3f} ({found:>3}) {base:6.3f} ({base_found:>3})  {query}"
                )
