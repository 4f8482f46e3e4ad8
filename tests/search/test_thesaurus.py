"""The multilingual thesaurus (initiatives/search/thesaurus.toml): every concept in the six UN
languages, each English term one the catalogue really uses, every initiative reachable."""

import re
import tomllib
from collections import defaultdict

import pytest
from django.conf import settings
from django.contrib.postgres.search import SearchQuery

from initiatives.models import Initiative
from initiatives.search.text import fold

THESAURUS = settings.BASE_DIR / "initiatives" / "search" / "thesaurus.toml"
LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")

ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
LATIN_ACRONYM = re.compile(r"[A-Z0-9][A-Z0-9/-]*[A-Z0-9]")
NON_LATIN = re.compile(
    r"[\u0400-\u04ff\u0600-\u06ff\u0750-\u077f\u3400-\u4dbf\u4e00-\u9fff\ufb50-\ufdff\ufe70-\ufeff]"
)

# The Coalition's own subject: nearly every other initiative names synthetic drugs, and a query
# for them in any language rightly finds that many.
CATALOGUE_WIDE = {"synthetic-drugs"}


@pytest.fixture(scope="module")
def concepts():
    with THESAURUS.open("rb") as handle:
        return tomllib.load(handle)["concept"]


def english_terms(concepts, key="en"):
    return [(concept["id"], term) for concept in concepts for term in concept.get(key, [])]


def published_codes_matching(term: str) -> set[str]:
    query = SearchQuery(fold(term), search_type="phrase", config="english")
    return set(
        Initiative.objects.published().filter(search_vector=query).values_list("code", flat=True)
    )


def test_the_thesaurus_has_at_least_300_concepts_with_unique_kebab_case_ids(concepts):
    assert len(concepts) >= 300
    ids = [concept["id"] for concept in concepts]
    repeated = sorted({id_ for id_ in ids if ids.count(id_) > 1})
    assert not repeated, f"ids used twice: {repeated}"
    malformed = [id_ for id_ in ids if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", id_)]
    assert not malformed, f"ids not kebab-case: {malformed}"


def test_every_concept_has_terms_in_all_six_languages_and_no_blank_term(concepts):
    problems = []
    for concept in concepts:
        unknown = set(concept) - {"id", "en_alt", *LANGUAGES}
        if unknown:
            problems.append(f"{concept['id']}: unknown keys {sorted(unknown)}")
        for language in (*LANGUAGES, "en_alt"):
            terms = concept.get(language, [])
            if language != "en_alt" and not terms:
                problems.append(f"{concept['id']}: no {language} term")
            for term in terms:
                if not isinstance(term, str) or not term.strip() or term != term.strip():
                    problems.append(f"{concept['id']}: {language} term {term!r}")
    assert not problems, "\n".join(problems)


def test_no_english_term_belongs_to_two_concepts(concepts):
    owners = defaultdict(set)
    for id_, term in english_terms(concepts) + english_terms(concepts, "en_alt"):
        owners[" ".join(fold(term).split())].add(id_)
    shared = {term: sorted(ids) for term, ids in owners.items() if len(ids) > 1}
    assert not shared, f"English terms in two concepts: {shared}"


def test_each_language_is_written_in_its_own_script(concepts):
    problems = []
    for concept in concepts:
        for language in ("en", "en_alt", "fr", "es"):
            problems += [
                f"{concept['id']} {language}: {term}"
                for term in concept.get(language, [])
                if NON_LATIN.search(term) or not re.search(r"[A-Za-z]", term)
            ]
        problems += [
            f"{concept['id']} ar: {term}"
            for term in concept.get("ar", [])
            if not ARABIC.search(term)
        ]
        problems += [
            f"{concept['id']} ru: {term}"
            for term in concept.get("ru", [])
            if not CYRILLIC.search(term) and not LATIN_ACRONYM.fullmatch(term)
        ]
        # Chinese is matched against the typed text, which has no spaces.
        problems += [
            f"{concept['id']} zh: {term}"
            for term in concept.get("zh", [])
            if not CJK.search(term) or re.search(r"\s", term)
        ]
    assert not problems, "terms in the wrong script:\n" + "\n".join(problems)


def test_no_term_is_a_one_or_two_letter_acronym(concepts):
    short = [
        f"{concept['id']} {language}: {term}"
        for concept in concepts
        for language in (*LANGUAGES, "en_alt")
        for term in concept.get(language, [])
        if language != "zh" and len(re.sub(r"\W", "", term)) < 3
    ]
    assert not short, f"terms too short to mean one thing: {short}"


@pytest.mark.django_db
def test_every_english_term_occurs_in_the_catalogue(catalogue, concepts):
    absent = [
        f"{id_}: {term}"
        for id_, term in english_terms(concepts)
        if not published_codes_matching(term)
    ]
    assert not absent, (
        "English terms the catalogue does not use (move them to en_alt):\n" + "\n".join(absent)
    )


@pytest.mark.django_db
def test_every_published_initiative_is_reached_by_an_english_term(catalogue, concepts):
    reached = set()
    for _, term in english_terms(concepts):
        reached |= published_codes_matching(term)
    unreached = set(catalogue.values_list("code", flat=True)) - reached
    assert not unreached, f"initiatives no concept reaches: {sorted(unreached)}"


@pytest.mark.django_db
def test_no_term_matches_most_of_the_catalogue(catalogue, concepts):
    half = catalogue.count() / 2
    broad = [
        f"{id_}: {term}"
        for id_, term in english_terms(concepts) + english_terms(concepts, "en_alt")
        if id_ not in CATALOGUE_WIDE and len(published_codes_matching(term)) > half
    ]
    assert not broad, f"terms that would match most of the catalogue: {broad}"
