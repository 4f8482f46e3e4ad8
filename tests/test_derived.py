"""Data kept per catalogue version in Django's cache: read again after any catalogue write, and
only then."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.filters import FilterChoices
from initiatives.models import Initiative, Organization
from initiatives.search.text import words
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db


def test_filter_choices_are_read_again_after_a_catalogue_write_and_only_then(catalogue):
    first = FilterChoices.load()
    with CaptureQueriesContext(connection) as queries:
        again = FilterChoices.load()
    assert [o.acronym for o in again.organizations] == [o.acronym for o in first.organizations]
    assert len(queries) == 1  # the catalogue version
    Organization.objects.create(acronym="ZZTEST", name="A new organization")
    changed = FilterChoices.load()
    assert "ZZTEST" in [organization.acronym for organization in changed.organizations]
    assert "ZZTEST" not in [organization.acronym for organization in first.organizations]


def test_the_vocabulary_is_read_again_after_a_catalogue_write_and_only_then(catalogue):
    first = Initiative.objects.search_context().vocabulary
    with CaptureQueriesContext(connection) as queries:
        assert Initiative.objects.search_context().vocabulary == first
    assert len(queries) == 1  # the catalogue version
    edited = Initiative.objects.get(code="1101")
    edited.title = "Zymurgy for xylophonists"
    edited.save()
    changed = Initiative.objects.search_context().vocabulary
    assert "zymurgy" in changed.frequencies and "zymurgy" not in first.frequencies
    # Spelling help follows at once: a misspelling of the new word is corrected to it.
    assert Initiative.objects.search_context().parse("zymurgie").corrections == {
        "zymurgie": "zymurgy"
    }


def test_the_vocabulary_counts_initiatives_per_folded_word(catalogue):
    make_initiative(description="A workshop in Łódź with Søren.")
    vocabulary = Initiative.objects.search_context().vocabulary
    assert vocabulary.frequencies["lodz"] == 1 and vocabulary.frequencies["soren"] == 1
    # Each word counts the published initiatives whose text (as split for search) holds it.
    texts = Initiative.objects.published().values_list("title", "search_keywords", "description")
    expected = sum("precursor" in words(" ".join(text)) for text in texts)
    assert vocabulary.frequencies["precursor"] == expected > 10


def test_the_vocabulary_follows_publication_and_deletion(catalogue):
    edited = Initiative.objects.get(code="1101")
    edited.title = "Zymurgy for xylophonists"
    edited.save()
    assert "zymurgy" in Initiative.objects.search_context().vocabulary.frequencies
    Initiative.objects.filter(code="1101").update(is_published=False)
    assert "zymurgy" not in Initiative.objects.search_context().vocabulary.frequencies
    Initiative.objects.all().delete()
    assert Initiative.objects.search_context().vocabulary.frequencies == {}
