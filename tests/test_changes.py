"""What readers follow: when an initiative was first published (``published_at``) and when what
they see of it last changed (``changed_at``), and the queries that order by them."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from initiatives.models import Initiative, Status
from initiatives.seeding.loader import load_seed_file
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db


def reloaded(initiative: Initiative) -> Initiative:
    return Initiative.objects.get(pk=initiative.pk)


def test_creating_a_published_initiative_stamps_both_at_one_instant(catalogue):
    before = timezone.now()
    initiative = make_initiative()
    stored = reloaded(initiative)
    assert stored.published_at is not None and stored.published_at >= before
    assert stored.changed_at == stored.published_at
    assert stored.added_at == stored.published_at


def test_a_draft_has_no_publication_until_it_is_published(catalogue):
    draft = make_initiative(is_published=False)
    assert reloaded(draft).published_at is None
    created_changed_at = reloaded(draft).changed_at

    draft = reloaded(draft)
    draft.is_published = True
    draft.save()
    stored = reloaded(draft)
    assert stored.published_at is not None
    assert stored.changed_at == stored.published_at > created_changed_at


def test_a_second_publication_keeps_the_first_date(catalogue):
    initiative = make_initiative()
    first = reloaded(initiative).published_at
    initiative = reloaded(initiative)
    initiative.is_published = False
    initiative.save()
    initiative = reloaded(initiative)
    initiative.is_published = True
    initiative.save()
    stored = reloaded(initiative)
    assert stored.published_at == first
    assert stored.changed_at > first  # published again: readers are told


@pytest.mark.parametrize(
    "field, value",
    [("title", "A new title"), ("description", "A new description."), ("status", Status.ACTIVE)],
)
def test_changing_what_readers_see_moves_changed_at(catalogue, field, value):
    initiative = reloaded(make_initiative())
    published_at, changed_at = initiative.published_at, initiative.changed_at
    setattr(initiative, field, value)
    initiative.save()
    stored = reloaded(initiative)
    assert stored.changed_at > changed_at
    assert stored.published_at == published_at


def test_a_change_saved_with_update_fields_is_stamped_too(catalogue):
    initiative = reloaded(make_initiative())
    changed_at = initiative.changed_at
    initiative.title = "Retitled through update_fields"
    initiative.save(update_fields=["title"])
    assert reloaded(initiative).changed_at > changed_at


@pytest.mark.parametrize(
    "field, value",
    [
        ("languages", "English, Spanish"),
        ("last_reviewed", date(2026, 1, 15)),
        ("attribution_evidence", "A different quote."),
        ("regions", ["africa"]),
    ],
)
def test_a_resave_or_another_field_does_not_move_changed_at(catalogue, field, value):
    initiative = reloaded(make_initiative())
    changed_at, updated_at = initiative.changed_at, initiative.updated_at
    initiative.save()
    setattr(initiative, field, value)
    initiative.save()
    stored = reloaded(initiative)
    assert stored.updated_at > updated_at  # saved…
    assert stored.changed_at == changed_at  # …but nothing a reader follows changed


def test_the_founding_load_is_not_new_and_a_later_load_stamps_what_it_adds(
    empty_catalogue, sample_seed
):
    path, document = sample_seed
    load_seed_file(path)
    founding = Initiative.objects.all()
    assert founding.count() == 4
    assert all(initiative.published_at is None for initiative in founding)
    assert all(initiative.added_at is not None for initiative in founding)

    added = {**document["initiatives"][0], "code": "1102", "number": "1102", "title": "Added"}
    document["initiatives"].append(added)
    path.write_text(json.dumps(document), encoding="utf-8")
    before = timezone.now()
    report = load_seed_file(path)
    assert report.created == ["1102"]
    assert Initiative.objects.get(code="1102").published_at >= before
    assert set(
        Initiative.objects.filter(published_at__isnull=True).values_list("code", flat=True)
    ) == {"1101", "2105", "2206A", "3212"}


def test_newest_first_puts_the_founding_list_last_in_code_order(catalogue):
    older = make_initiative(sub_working_group="1.1")
    newer = make_initiative(sub_working_group="2.1")
    Initiative.objects.filter(pk=older.pk).update(published_at=timezone.now() - timedelta(days=3))
    codes = list(Initiative.objects.published().newest_first().values_list("code", flat=True))
    assert codes[:2] == [newer.code, older.code]
    founding = list(catalogue.order_by("code").values_list("code", flat=True))
    assert codes[2:] == [code for code in founding if code not in (newer.code, older.code)]


def test_recently_changed_and_the_latest_change(catalogue):
    edited = Initiative.objects.get(code="2105")
    edited.title = "Edited for the test"
    edited.save()
    added = make_initiative()
    codes = list(Initiative.objects.published().recently_changed().values_list("code", flat=True))
    assert codes[:2] == [added.code, "2105"]
    assert Initiative.objects.published().latest_change() == reloaded(added).changed_at
    assert Initiative.objects.none().latest_change() is None
