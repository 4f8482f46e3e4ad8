"""Search on the real catalogue: what officials type finds what they mean."""

import pytest

from initiatives.models import Initiative
from tests.search.results import found

pytestmark = pytest.mark.django_db


def test_the_examples_from_the_brief_find_their_initiatives(client, catalogue):
    assert found(client, "naloxone")[0] == "3210"
    assert "2103" in found(client, "early warning Americas")[:3]
    disposal = found(client, "precursor disposal")
    assert disposal and all(code.startswith("1") for code in disposal[:3])


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


def test_misspellings_still_find_results_and_offer_the_right_spelling(client, catalogue):
    # ("fentanil" is Spanish: the thesaurus takes it as fentanyl, with no spelling note.)
    for typo, word in (("fentanly", "fentanyl"), ("precurser", "precursor")):
        response = client.get("/", {"q": typo})
        html = response.content.decode()
        assert found(client, typo), typo
        assert f'Did you mean <a href="?q={word}" lang="en" dir="ltr">{word}</a>?' in html
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
