"""Staff can reach, filter and edit every model in the admin."""

import pytest
from django.contrib.auth import get_user_model

from initiatives.models import Contact, Initiative, Organization
from tests.conftest import admin_change_form, sign_in_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_superuser("staff", "staff@example.org", "pw-123456")
    sign_in_with_second_factor(client, user)
    return client


@pytest.mark.parametrize(
    "model", ["workinggroup", "subworkinggroup", "organization", "contact", "initiative"]
)
def test_every_model_has_a_changelist_and_an_add_form(staff_client, catalogue, model):
    assert staff_client.get(f"/admin/initiatives/{model}/").status_code == 200
    assert staff_client.get(f"/admin/initiatives/{model}/add/").status_code == 200


def test_unattributed_initiatives_are_visible_to_staff(staff_client, catalogue):
    response = staff_client.get("/admin/initiatives/initiative/?attribution=none")
    assert response.context["cl"].result_count == 63
    assert "— not attributed —" in response.content.decode()
    response = staff_client.get("/admin/initiatives/initiative/?attribution=lead")
    assert response.context["cl"].result_count == 55


def test_admin_search_finds_by_organization_and_text(staff_client, catalogue):
    response = staff_client.get("/admin/initiatives/initiative/?q=INLOD")
    codes = sorted(initiative.code for initiative in response.context["cl"].result_list)
    assert codes == ["2206", "2206A"]
    response = staff_client.get("/admin/initiatives/initiative/?q=Colombo")
    led = set(
        Initiative.objects.filter(lead_organization__acronym="Colombo Plan").values_list(
            "code", flat=True
        )
    )
    found = {initiative.code for initiative in response.context["cl"].result_list}
    assert led and led <= found


def test_seed_status_tells_edited_records_apart(staff_client, catalogue):
    initiative = Initiative.objects.get(code="1101")
    page = staff_client.get(f"/admin/initiatives/initiative/{initiative.pk}/change/")
    assert "Matches the seed" in page.content.decode()

    initiative.title = "Edited title"
    initiative.save()
    page = staff_client.get(f"/admin/initiatives/initiative/{initiative.pk}/change/")
    assert "Edited by staff" in page.content.decode()


def test_staff_can_edit_an_initiative_and_give_it_a_contact(staff_client, catalogue):
    initiative = Initiative.objects.get(code="2105")
    who = Organization.objects.get(acronym="WHO")
    contact = Contact.objects.create(name="Dr A. Example", organization=who, email="a@who.int")
    form = admin_change_form(
        initiative,
        lead_organization=who.pk,
        partner_organizations=[],
        attribution_evidence="Confirmed by WHO.",
        point_of_contact=contact.pk,
    )
    response = staff_client.post(f"/admin/initiatives/initiative/{initiative.pk}/change/", form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    initiative.refresh_from_db()
    assert initiative.lead_organization == who
    assert initiative.point_of_contact == contact


def test_the_admin_rejects_a_lead_without_evidence_with_a_message(staff_client, catalogue):
    initiative = Initiative.objects.get(code="2105")
    form = admin_change_form(
        initiative,
        lead_organization=Organization.objects.get(acronym="WHO").pk,
        attribution_evidence="",
    )
    response = staff_client.post(f"/admin/initiatives/initiative/{initiative.pk}/change/", form)

    assert response.status_code == 200
    assert "evidence" in str(response.context["adminform"].form.errors).lower()
    initiative.refresh_from_db()
    assert initiative.lead_organization is None
