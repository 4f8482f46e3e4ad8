"""What is new: the "New" mark on result cards, the "Newest first" order, and the detail page's
dates."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from initiatives import whats_new
from initiatives.listing import build_listing
from initiatives.models import Initiative
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 5)
NEW_MARK = '<strong class="new-mark">New</strong>'


def listed_codes(html: str) -> list[str]:
    return re.findall(r'<li class="initiative" id="i-([0-9A-Z]+)"', html)


def card_of(html: str, code: str) -> str:
    return html.split(f'id="i-{code}"')[1].split("</li>")[0]


def published(initiative: Initiative, at: datetime) -> Initiative:
    Initiative.objects.filter(pk=initiative.pk).update(published_at=at)
    return Initiative.objects.get(pk=initiative.pk)


def at_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def card(initiative: Initiative, day: date) -> str:
    context = {"initiative": initiative, "new_since": whats_new.new_since(day)}
    context |= {"shortlist_codes": (), "shortlist_url": "/shortlist/"}
    with translation.override("en"):  # whatever language an earlier request left active
        return render_to_string("initiatives/_result_card.html", context)


def test_new_means_published_in_the_last_30_whole_days(catalogue):
    assert whats_new.NEW_FOR_DAYS == 30
    assert whats_new.new_since(DAY) == datetime(2026, 11, 5, tzinfo=UTC)
    initiative = published(make_initiative(), at_midnight(DAY - timedelta(days=30)))
    assert NEW_MARK in card(initiative, DAY)
    assert NEW_MARK not in card(initiative, DAY + timedelta(days=1))
    just_before = published(
        initiative, at_midnight(DAY - timedelta(days=30)) - timedelta(seconds=1)
    )
    assert NEW_MARK not in card(just_before, DAY)


def test_the_founding_list_is_never_new(catalogue):
    founding = Initiative.objects.get(code="1101")
    assert founding.published_at is None
    assert NEW_MARK not in card(founding, DAY)
    assert NEW_MARK not in card(founding, date.today())


def test_the_mark_is_text_next_to_the_lead(catalogue):
    html = card(make_initiative(lead_organization="UNODC"), date.today())
    assert f'<p class="meta">{NEW_MARK} · <span class="lead-organization">Lead:' in html


def test_browsed_and_searched_cards_are_marked(client, catalogue):
    added = make_initiative(title="Naloxone kits for first responders")
    html = client.get("/").content.decode()
    assert NEW_MARK in card_of(html, added.code)
    assert NEW_MARK not in card_of(html, "3210")
    assert html.count(NEW_MARK) == 1
    searched = client.get("/?q=naloxone+kits").content.decode()
    assert NEW_MARK in card_of(searched, added.code)
    assert NEW_MARK not in card_of(searched, "3210")
    french = client.get("/fr/").content.decode()
    assert '<strong class="new-mark">Nouvelle</strong>' in card_of(french, added.code)


def test_a_cached_list_drops_the_mark_when_its_days_are_over(client, catalogue, monkeypatch):
    """The browsed cards are kept in a fragment cache per catalogue version: the day is part of
    its key, or the mark would stay until the next edit."""
    added = published(make_initiative(), at_midnight(DAY - timedelta(days=30)))
    monkeypatch.setattr(whats_new, "today", lambda: DAY)
    assert NEW_MARK in card_of(client.get("/").content.decode(), added.code)
    monkeypatch.setattr(whats_new, "today", lambda: DAY + timedelta(days=1))
    assert NEW_MARK not in card_of(client.get("/").content.decode(), added.code)
    # …and back on the day it is still new (that day's cards are still kept).
    monkeypatch.setattr(whats_new, "today", lambda: DAY)
    assert NEW_MARK in card_of(client.get("/").content.decode(), added.code)


def test_the_listing_marks_for_the_day_it_is_given(catalogue):
    listing = build_listing({}, today=DAY)
    assert listing.new_since == datetime(2026, 11, 5, tzinfo=UTC)
    assert listing.new_marks_day == "2026-11-05"


def test_newest_first_lists_the_latest_published_then_the_founding_list(client, catalogue):
    older = published(make_initiative(sub_working_group="1.1"), at_midnight(DAY))
    newer = published(make_initiative(sub_working_group="2.2"), at_midnight(DAY) + timedelta(1))
    codes = listed_codes(client.get("/?sort=newest").content.decode())
    founding = sorted(catalogue.exclude(pk__in=[older.pk, newer.pk]).values_list("code", flat=True))
    assert codes == [newer.code, older.code, *founding]
    html = client.get("/?sort=newest").content.decode()
    assert 'class="working-group"' not in html  # a ranked list, not grouped
    assert '<option value="newest" selected>Newest first</option>' in html


def test_a_search_can_be_sorted_newest_first(client, catalogue):
    added = make_initiative(title="Naloxone distribution for outreach workers")
    by_relevance = listed_codes(client.get("/?q=naloxone").content.decode())
    newest = listed_codes(client.get("/?q=naloxone&sort=newest").content.decode())
    assert newest[0] == added.code
    assert sorted(newest) == sorted(by_relevance)
    assert newest[1:] == sorted(newest[1:])  # the founding list, by code


def test_the_sort_menu_offers_newest_first(client, catalogue):
    browse = client.get("/").content.decode()
    options = re.findall(r'<option value="([a-z]*)"[^>]*>([^<]+)</option>', browse)
    assert options == [("", "Code"), ("title", "Title"), ("newest", "Newest first")]
    search = client.get("/?q=naloxone").content.decode()
    options = re.findall(r'<option value="([a-z]*)"[^>]*>([^<]+)</option>', search)
    assert [value for value, _ in options] == ["", "code", "title", "newest"]
    french = client.get("/fr/").content.decode()
    assert '<option value="newest">Les plus récentes d’abord</option>' in french


def test_the_detail_page_says_when_it_was_added_and_last_updated(client, catalogue):
    initiative = make_initiative()
    Initiative.objects.filter(pk=initiative.pk).update(
        published_at=datetime(2026, 3, 14, 10, tzinfo=UTC),
        changed_at=datetime(2026, 4, 2, 9, tzinfo=UTC),
    )
    html = client.get(f"/initiatives/{initiative.code}/").content.decode()
    assert (
        '<dt>Added to the catalogue</dt>\n    <dd><time datetime="2026-03-14">14 March 2026</time>'
    ) in html
    assert '<dt>Last updated</dt>\n    <dd><time datetime="2026-04-02">2 April 2026</time>' in html
    french = client.get(f"/fr/initiatives/{initiative.code}/").content.decode()
    assert '<time datetime="2026-03-14">14 mars 2026</time>' in french
    assert '<time datetime="2026-04-02">2 avril 2026</time>' in french


def test_the_founding_list_was_added_when_it_was_loaded(client, catalogue):
    founding = Initiative.objects.get(code="1101")
    html = client.get("/initiatives/1101/").content.decode()
    added = founding.added_at.date().isoformat()
    assert f'<dt>Added to the catalogue</dt>\n    <dd><time datetime="{added}">' in html
