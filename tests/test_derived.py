"""Data kept per catalogue version: read again after any catalogue write, and only then."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.filters import FilterChoices
from initiatives.models import Initiative, Organization
from initiatives.search import sampling

pytestmark = pytest.mark.django_db


def test_filter_choices_are_read_again_after_a_catalogue_write_and_only_then(catalogue):
    first = FilterChoices.load()
    with CaptureQueriesContext(connection) as queries:
        again = FilterChoices.load()
    assert again is first
    assert len(queries) == 1  # the catalogue version
    Organization.objects.create(acronym="ZZTEST", name="A new organization")
    changed = FilterChoices.load()
    assert changed.version != first.version
    assert "ZZTEST" in [organization.acronym for organization in changed.organizations]
    assert "ZZTEST" not in [organization.acronym for organization in first.organizations]


def _true_share(table: str, block: int) -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT count(*) FILTER (WHERE ctid <= %s::tid), count(*) FROM "{table}"',
            [f"({block},65535)"],
        )
        before, total = cursor.fetchone()
    return before / total


def test_the_share_of_rows_read_is_exact_and_follows_every_write(catalogue):
    table = Initiative._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT max((ctid::text::point)[0]::int) FROM "{table}"')
        (last_block,) = cursor.fetchone()
    version = FilterChoices.load().version
    shares = [sampling.share_read(Initiative, block, version) for block in range(last_block + 1)]
    assert shares == [_true_share(table, block) for block in range(last_block + 1)]
    assert shares[-1] == 1.0 and shares[0] < 0.5
    # Rewriting every row puts the new versions after the dead ones: the early blocks now
    # hold fewer live rows, and the counts kept for the old version must not be used.
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET updated_at = updated_at')
        cursor.execute(f'SELECT max((ctid::text::point)[0]::int) FROM "{table}"')
        (new_last,) = cursor.fetchone()
    rewritten = FilterChoices.load().version
    assert rewritten != version
    after = [sampling.share_read(Initiative, block, rewritten) for block in range(new_last + 1)]
    assert after == [_true_share(table, block) for block in range(new_last + 1)]
    assert after[last_block // 2] < shares[last_block // 2]


def test_the_vocabulary_is_read_again_after_a_catalogue_write_and_only_then(catalogue):
    from initiatives.search import spelling

    first = spelling.current_vocabulary()
    with CaptureQueriesContext(connection) as queries:
        assert spelling.current_vocabulary() is first
    assert len(queries) == 1  # the catalogue version
    edited = Initiative.objects.get(code="1101")
    edited.title = "Zymurgy for xylophonists"
    edited.save()
    changed = spelling.current_vocabulary()
    assert "zymurgy" in changed.frequencies and "zymurgy" not in first.frequencies
