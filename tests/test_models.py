"""Integrity lives in the database: each rule holds even when Python validation is bypassed."""

import pytest
from django.db import IntegrityError, transaction

from initiatives.models import (
    Contact,
    Initiative,
    Organization,
    SubWorkingGroup,
    WorkingGroup,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(empty_catalogue):
    working_group = WorkingGroup.objects.create(number=1, name="Preventing manufacture")
    return SubWorkingGroup.objects.create(
        code="1.1", working_group=working_group, name="Manufacturing"
    )


@pytest.fixture
def incb(empty_catalogue):
    return Organization.objects.create(acronym="INCB", name="International Narcotics Control Board")


def make_initiative(group, **overrides):
    values = {
        "code": "1101",
        "number": "1101",
        "sub_working_group": group,
        "title": "Preventing diversion",
        "description": "A paragraph.",
    }
    values.update(overrides)
    return Initiative.objects.create(**values)


def assert_refused(create, constraint: str):
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        create()
    assert constraint in str(caught.value)


def test_a_valid_initiative_is_stored(group, incb):
    initiative = make_initiative(group, lead_organization=incb, attribution_evidence="Rule")
    assert Initiative.objects.get(code="1101") == initiative
    assert initiative.is_published
    assert initiative.created_at and initiative.updated_at


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"code": "11012"}, "initiative_code_format"),
        ({"code": "1101a"}, "initiative_code_format"),
        ({"code": "4101", "number": "4101"}, "initiative_code_format"),
        ({"number": "110"}, "initiative_number_format"),
        ({"code": "1102", "number": "1101"}, "initiative_code_extends_number"),
        ({"title": ""}, "initiative_title_not_empty"),
        ({"description": "  \n "}, "initiative_description_not_blank"),
    ],
)
def test_initiative_constraints(group, overrides, constraint):
    assert_refused(lambda: make_initiative(group, **overrides), constraint)
    assert not Initiative.objects.exists()


def test_a_lead_organization_needs_its_evidence(group, incb):
    assert_refused(
        lambda: make_initiative(group, lead_organization=incb, attribution_evidence=" "),
        "initiative_lead_has_evidence",
    )


def test_codes_are_unique_and_a_lettered_code_can_share_a_number(group):
    make_initiative(group)
    make_initiative(group, code="1101A")
    assert_refused(lambda: make_initiative(group), "initiative_code_key")
    assert Initiative.objects.filter(number="1101").count() == 2


def test_group_and_organization_constraints(group, incb):
    assert_refused(lambda: WorkingGroup.objects.create(number=4, name="Four"), "1_to_3")
    assert_refused(lambda: WorkingGroup.objects.create(number=2, name=""), "name_not_empty")
    assert_refused(
        lambda: SubWorkingGroup.objects.create(
            code="11", working_group=group.working_group, name="x"
        ),
        "sub_working_group_code_format",
    )
    assert_refused(
        lambda: Organization.objects.create(acronym="INCB", name="Other"), "organization_acronym"
    )
    assert_refused(lambda: Organization.objects.create(acronym="", name="Other"), "acronym_not")
    assert_refused(lambda: Contact.objects.create(name=""), "contact_name_not_empty")


def test_organizations_in_use_cannot_be_deleted(group, incb):
    from django.db.models import ProtectedError

    make_initiative(group, lead_organization=incb, attribution_evidence="Rule")
    with pytest.raises(ProtectedError):
        incb.delete()


def test_deleting_a_contact_leaves_the_initiative_without_one(group, incb):
    contact = Contact.objects.create(name="A. Person", organization=incb, email="a@example.org")
    initiative = make_initiative(group, point_of_contact=contact)
    contact.delete()
    initiative.refresh_from_db()
    assert initiative.point_of_contact is None


def test_codes_are_found_whatever_their_case(group):
    make_initiative(group, code="1101A")
    assert Initiative.objects.by_code(" 1101a ").get().code == "1101A"
