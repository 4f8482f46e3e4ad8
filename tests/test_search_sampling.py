"""Searches matching very many initiatives: estimated counts, the best results still found.

The real catalogue is far below the limit, so the limit is lowered here to reach that path.
"""

import re

import pytest
from django.db import connection

from initiatives.listing import build_listing
from initiatives.search import engine, sampling

pytestmark = pytest.mark.django_db


def listing_for(**params):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, value in params.items():
        data[key] = value
    return build_listing(data, page_number=params.get("page"))


def exact(query: str, **params):
    listing = listing_for(q=query, **params)
    assert not listing.estimated
    return listing


@pytest.fixture
def low_limit(monkeypatch):
    monkeypatch.setattr(sampling, "EXHAUSTIVE_LIMIT", 12)


def test_estimates_have_two_significant_figures():
    assert [sampling.round_estimate(v) for v in (0, 7, 99.4, 123, 15_636, 24_222)] == [
        0,
        7,
        99,
        120,
        16_000,
        24_000,
    ]


def test_below_the_limit_everything_is_counted_exactly(client, catalogue):
    listing = exact("training")
    assert listing.count == catalogue.filter(search_vector=engine.ts("'training':*")).count()
    html = client.get("/", {"q": "training"}).content.decode()
    assert 'id="estimate-note"' not in html and "about" not in html.split("result-count")[1][:200]


def test_above_the_limit_counts_are_estimated_and_said_to_be(client, catalogue, low_limit):
    truth = exact("training", sort="code")  # another order: every match is counted
    listing = listing_for(q="training")
    assert listing.estimated
    # An estimate from 13 of the matches, scaled by the share of the table read.
    assert 0.6 * truth.count <= listing.count <= 1.5 * truth.count
    html = client.get("/", {"q": "training"}).content.decode()
    count_text = re.search(r'id="result-count" role="status">\s*([^<]*)', html).group(1)
    assert count_text.startswith(f"about {listing.count:,} initiatives found")
    assert 'id="estimate-note"' in html and "first 12 matches" in html
    estimated = [option for options in listing.facets.values() for option in options]
    assert all(option.estimated for option in estimated)
    assert sum(option.count for option in listing.facets["working_group"]) > 0
    assert re.search(r'class="facet-count"[^>]*>\((about [\d,]+|few)\)', html)


def test_the_best_results_are_those_of_the_exact_search(catalogue, low_limit, monkeypatch):
    # "synthetic" is one word without synonyms, in 49 titles or keywords of 65 matches: with
    # every title match read and at least RANK_DEPTH of them, the page is exactly the one an
    # exhaustive search gives.
    monkeypatch.setattr(engine, "RANK_DEPTH", 20)
    monkeypatch.setattr(sampling, "EXHAUSTIVE_LIMIT", 10_000)
    truth = [initiative.code for initiative in listing_for(q="synthetic").page.object_list]
    assert len(truth) == 20
    monkeypatch.setattr(sampling, "EXHAUSTIVE_LIMIT", 12)
    estimated = listing_for(q="synthetic", page="1")
    assert estimated.estimated and estimated.best_exact
    assert [initiative.code for initiative in estimated.page.object_list] == truth


def test_the_best_results_keep_the_other_filters(catalogue, low_limit, monkeypatch):
    # "Not attributed" filters on the initiatives' own column: no join that could change the
    # order rows come in (the sample then counts every match exactly instead).
    monkeypatch.setattr(engine, "RANK_DEPTH", 20)
    monkeypatch.setattr(sampling, "EXHAUSTIVE_LIMIT", 10_000)
    truth = listing_for(q="drug", organization="none", page="1")
    monkeypatch.setattr(sampling, "EXHAUSTIVE_LIMIT", 12)
    estimated = listing_for(q="drug", organization="none", page="1")
    assert estimated.estimated
    shown = estimated.page.object_list
    assert len(shown) == len(truth.page.object_list) == 20
    assert all(initiative.lead_organization is None for initiative in shown)


def test_a_title_match_cap_is_said_to_be_approximate(client, catalogue, low_limit, monkeypatch):
    monkeypatch.setattr(sampling, "HEAD_LIMIT", 3)
    listing = listing_for(q="training")
    assert listing.estimated and not listing.best_exact
    # The four title matches read come first; then matches of the sample, by code.
    heads = catalogue.filter(search_head=engine.ts("'training':*")).values_list("pk", flat=True)
    shown = [initiative.pk for initiative in listing.page.object_list]
    assert len(shown) > 4 and set(shown[:4]) <= set(heads)
    html = client.get("/", {"q": "training"}).content.decode()
    assert "whose titles or organizations match every word" in html


def test_other_orders_and_deep_pages_count_every_match(catalogue, low_limit, monkeypatch):
    assert not listing_for(q="training", sort="code").estimated
    assert not listing_for(q="training", sort="title").estimated
    monkeypatch.setattr(engine, "RANK_DEPTH", 20)
    assert listing_for(q="training", page="1").estimated
    assert not listing_for(q="training", page="2").estimated
    assert not listing_for(q="training", page="0").estimated  # Paginator's last page


def test_a_selected_facet_is_still_counted_exactly(catalogue, low_limit):
    truth = exact("drug", organization="none", sort="code")
    listing = listing_for(q="drug", organization="none")
    assert listing.estimated
    organizations = {option.value: option for option in listing.facets["organization"]}
    exact_counts = {option.value: option.count for option in truth.facets["organization"]}
    assert not any(option.estimated for option in organizations.values())
    assert {value: option.count for value, option in organizations.items()} == exact_counts
    assert all(option.estimated for option in listing.facets["group"])


def test_the_estimate_holds_after_every_row_was_rewritten(catalogue, low_limit):
    truth = exact("training", sort="code").count
    # New versions of every row at the end of the table, dead ones before them: a share of
    # the table's blocks would say the sample covered half of it.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE initiatives_initiative SET updated_at = updated_at")
    listing = listing_for(q="training")
    assert listing.estimated
    assert 0.6 * truth <= listing.count <= 1.5 * truth


def test_an_estimated_search_page_runs_a_fixed_number_of_queries(client, catalogue, monkeypatch):
    from django.test.utils import CaptureQueriesContext

    counts = []
    for limit in (12, 30):  # samples of different sizes
        monkeypatch.setattr(sampling, "EXHAUSTIVE_LIMIT", limit)
        client.get("/", {"q": "drug"})  # warm the process-level caches
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/", {"q": "drug"}).content.decode()
        assert 'id="estimate-note"' in html
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 16


def test_a_query_with_nothing_to_search_for_is_an_empty_page_not_an_error(client, catalogue):
    # Only punctuation and stop words: no search clause at all.
    response = client.get("/", {"q": "&|!<->:*() the of"})
    assert response.status_code == 200
    assert sampling._fetch(catalogue.none().values_list("pk")) == []


def _settings(queryset):
    """``queryset`` annotated with the planner settings it is read under."""
    from django.db.models.expressions import RawSQL

    return queryset.annotate(
        seqscan=RawSQL("current_setting('enable_seqscan')", []),
        indexscan=RawSQL("current_setting('enable_indexscan')", []),
    )


def _shown(cursor) -> tuple[str, str]:
    cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan')")
    return cursor.fetchone()


def test_samples_are_read_through_bitmaps_only_and_the_settings_are_restored(catalogue):
    sample = _settings(catalogue).values_list("seqscan", "indexscan")[:1]
    with connection.cursor() as cursor:
        assert _shown(cursor) == ("on", "on")
        assert sampling._fetch(sample) == [("off", "off")]
        # The test runs in a transaction, as a request may: the rest of it plans as before.
        assert connection.in_atomic_block
        assert _shown(cursor) == ("on", "on")
        # A setting changed earlier in the transaction is put back as it was, not as default.
        cursor.execute("SET LOCAL enable_indexscan = off")
        assert sampling._fetch(sample) == [("off", "off")]
        assert _shown(cursor) == ("on", "off")


def test_outside_a_transaction_the_settings_end_with_the_read(catalogue, monkeypatch):
    from django.db import connections

    # A connection of its own, in autocommit as a request's is (the test's is in a transaction).
    own = connections.create_connection("default")
    monkeypatch.setattr(sampling, "connection", own)
    try:
        sample = _settings(catalogue).values_list("seqscan", "indexscan", "code")[:2]
        assert own.get_autocommit()
        rows = sampling._fetch(sample)
        assert [row[:2] for row in rows] == [("off", "off")] * 2 and rows[0][2] != rows[1][2]
        with own.cursor() as cursor:
            assert _shown(cursor) == ("on", "on")
    finally:
        own.close()


def test_bitmap_reads_end_with_their_block_even_when_it_fails(catalogue):
    from django.db import DataError

    with connection.cursor() as cursor:
        with sampling.bitmap_reads():
            assert _shown(cursor) == ("off", "off")
        assert _shown(cursor) == ("on", "on")
        with pytest.raises(DataError), sampling.bitmap_reads():
            cursor.execute("SELECT 1 / 0")
        # Rolled back to before the block, settings included; the transaction goes on.
        assert _shown(cursor) == ("on", "on")
