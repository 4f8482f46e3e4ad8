"""The search vocabulary kept by triggers is the one a pass over every initiative gives."""

import pytest
from django.db import connection

from initiatives.models import Initiative, Organization
from initiatives.search import spelling
from initiatives.search.document import ACCENTED, PLAIN

pytestmark = pytest.mark.django_db

# What the vocabulary was read with before the triggers kept it: every published text.
FROM_EVERY_INITIATIVE = f"""
SELECT word, ndoc, (ts_lexize('english_stem', word))[1] FROM ts_stat($$
    SELECT to_tsvector('simple', translate(lower(title || ' ' || search_keywords || ' '
                                                   || description), '{ACCENTED}', '{PLAIN}'))
    FROM initiatives_initiative WHERE is_published
$$) WHERE length(word) >= 3 AND word ~ '^[a-z]+$'
"""


def from_every_initiative() -> dict[str, tuple[int, str | None]]:
    with connection.cursor() as cursor:
        cursor.execute(FROM_EVERY_INITIATIVE)
        return {word: (n, stem) for word, n, stem in cursor.fetchall()}


def kept() -> dict[str, tuple[int, str | None]]:
    with connection.cursor() as cursor:
        cursor.execute(spelling.VOCABULARY_SQL)
        return {word: (n, stem) for word, n, stem in cursor.fetchall()}


def pending_changes() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM initiatives_searchwordchange")
        return cursor.fetchone()[0]


def test_every_kind_of_write_keeps_the_vocabulary_exact(catalogue):
    spelling.load_vocabulary()  # folds what loading the catalogue recorded
    assert pending_changes() == 0
    truth = from_every_initiative()
    assert kept() == truth and len(truth) > 1000

    edited = Initiative.objects.get(code="1101")
    edited.title = "Zymurgy for xylophonists"
    edited.save()
    Initiative.objects.filter(code="2101").update(is_published=False)
    Initiative.objects.filter(code="3101").delete()
    with connection.cursor() as cursor:  # a raw write, and one that changes no text
        cursor.execute(
            "UPDATE initiatives_initiative SET description = description || ' quokkas' "
            "WHERE code LIKE '21%%'"
        )
        cursor.execute("UPDATE initiatives_initiative SET updated_at = updated_at")
    unpublished = Initiative.objects.get(code="2102")
    unpublished.is_published = False
    unpublished.save()
    unpublished.description += " wombatry"
    unpublished.save()  # not published: no change to the vocabulary
    organization = Organization.objects.get(acronym="WCO")
    organization.name = "World Customs Organisation of Narwhals"
    organization.save()  # the keywords of every initiative it takes part in

    assert pending_changes() > 0
    assert kept() == from_every_initiative()  # changes not folded yet count too
    vocabulary = spelling.load_vocabulary()
    assert pending_changes() == 0
    assert kept() == from_every_initiative()
    for word in ("zymurgy", "xylophonists", "quokkas", "narwhals"):
        assert word in vocabulary.frequencies
    assert "wombatry" not in vocabulary.frequencies
    assert "quokkas" in vocabulary.frequencies and vocabulary.completions("quokka") == ("quokkas",)


def test_emptying_the_table_empties_the_vocabulary(catalogue):
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE initiatives_initiative CASCADE")
    assert kept() == {} == from_every_initiative()
