"""The judged cross-lingual query set (crosslingual_judgments.json, beside this file): its shape,
its codes and grades, and that every query really is in the language it is filed under."""

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings

from benchmarks.relevance import load_judgments

HERE = Path(__file__).parent
CROSSLINGUAL = HERE / "crosslingual_judgments.json"
ENGLISH = HERE / "search_judgments.json"
SEED = settings.BASE_DIR / "seeds" / "initiatives.json"

LANGUAGES = {"fr", "es", "ru", "ar", "zh"}
MIN_QUERIES, MIN_PER_LANGUAGE = 40, 8
# The script each language's queries must be written in, beyond acronyms and digits.
SCRIPTS = {
    "ru": re.compile(r"[\u0400-\u04ff]"),
    "ar": re.compile(r"[\u0600-\u06ff]"),
    "zh": re.compile(r"[\u4e00-\u9fff]"),
}
HAN_SPACE_HAN = re.compile(r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]")
WORD = re.compile(r"\w+")

DOCUMENT = json.loads(CROSSLINGUAL.read_text(encoding="utf-8"))
QUERIES = DOCUMENT["queries"]
SEEDED = json.loads(SEED.read_text(encoding="utf-8"))["initiatives"]


@cache
def english_vocabulary() -> frozenset[str]:
    """Every word of the English catalogue text and of the English judged queries."""
    texts = [query["query"] for query in json.loads(ENGLISH.read_text("utf-8"))["queries"]]
    for initiative in SEEDED:
        texts += [initiative["title"], *initiative["description"]]
    return frozenset(word.lower() for text in texts for word in WORD.findall(text))


def is_plain_english(query: str, vocabulary: frozenset[str]) -> bool:
    """ASCII letters only, and every word one the English catalogue or its queries use."""
    if any(char.isalpha() and not char.isascii() for char in query):
        return False
    return all(word.lower() in vocabulary for word in WORD.findall(query))


def label(query: dict) -> str:
    return f"{query['id']}-{query['language']}"


def test_the_set_is_large_enough_in_every_language():
    counts = Counter(query["language"] for query in QUERIES)
    assert len(QUERIES) >= MIN_QUERIES
    assert set(counts) == LANGUAGES
    assert min(counts.values()) >= MIN_PER_LANGUAGE, counts
    assert DOCUMENT["about"].strip()


def test_every_query_is_complete_and_unique():
    for query in QUERIES:
        assert {"id", "query", "language", "kind", "relevant"} <= set(query), query
        assert query["query"].strip() and query["kind"].strip(), query
    assert len({query["id"] for query in QUERIES}) == len(QUERIES)
    texts = Counter(" ".join(query["query"].casefold().split()) for query in QUERIES)
    assert [text for text, count in texts.items() if count > 1] == []


def test_the_relevance_benchmark_reads_the_set():
    judged = load_judgments(CROSSLINGUAL)
    assert [judgment.query for judgment in judged] == [query["query"] for query in QUERIES]
    assert all(judgment.grades for judgment in judged)


@pytest.mark.parametrize("query", QUERIES, ids=label)
def test_every_judged_code_exists_and_grades_are_1_to_3(query):
    codes = {initiative["code"] for initiative in SEEDED}
    assert set(query["relevant"]) <= codes, set(query["relevant"]) - codes
    assert set(query["relevant"].values()) <= {1, 2, 3}


@pytest.mark.parametrize("query", QUERIES, ids=label)
def test_every_query_has_a_clearly_relevant_answer(query):
    assert max(query["relevant"].values()) >= 2


def test_the_plain_english_check_tells_english_from_the_other_languages():
    vocabulary = english_vocabulary()
    for english in ("early warning", "precursor chemicals", "detection canine", "NPS"):
        assert is_plain_english(english, vocabulary), english
    for other in ("alerta temprana", "deteccion canina", "détection canine", "JIFE", "纳洛酮"):
        assert not is_plain_english(other, vocabulary), other


@pytest.mark.parametrize("query", QUERIES, ids=label)
def test_no_query_is_plain_english(query):
    assert not is_plain_english(query["query"], english_vocabulary())


@pytest.mark.parametrize("query", QUERIES, ids=label)
def test_each_query_is_written_in_its_language_s_script(query):
    script = SCRIPTS.get(query["language"])
    if script is not None:
        assert script.search(query["query"])
    if query["language"] == "zh":
        assert not HAN_SPACE_HAN.search(query["query"]), "Chinese is typed without spaces"
