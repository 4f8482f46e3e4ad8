"""Bulk import and export: CSV and XLSX, a dry-run preview, row-level errors, all or nothing."""

import io

import pytest
import tablib

from initiatives.models import Contact, Initiative, Organization
from initiatives.resources import ContactResource, InitiativeResource, OrganizationResource

pytestmark = pytest.mark.django_db


def initiatives_dataset(rows: list[dict]) -> tablib.Dataset:
    headers = InitiativeResource._meta.fields
    return tablib.Dataset(*[[row.get(h, "") for h in headers] for row in rows], headers=headers)


NEW_ROW = {
    "code": "3310",
    "number": "3310",
    "sub_working_group": "3.3",
    "title": "Prison health peer-support training",
    "description": "A new initiative.\n- First bullet",
    "lead_organization": "UNODC",
    "partner_organizations": "WHO;PAHO",
    "attribution_evidence": "Confirmed by UNODC",
    "is_published": "1",
    "status": "proposed",
    "regions": "africa;americas",
}


def test_export_and_reimport_of_the_catalogue_changes_nothing(catalogue):
    exported = InitiativeResource().export()
    assert len(exported) == 118
    assert exported.headers[:4] == ["code", "number", "sub_working_group", "title"]
    row = dict(
        zip(exported.headers, exported[[r[0] for r in exported].index("2206A")], strict=True)
    )
    assert row["lead_organization"] == "UNODC" and row["sub_working_group"] == "2.2"

    result = InitiativeResource().import_data(exported, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == 118


def test_a_dry_run_previews_without_writing(catalogue):
    result = InitiativeResource().import_data(initiatives_dataset([NEW_ROW]), dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 1
    assert not Initiative.objects.filter(code="3310").exists()


def test_an_import_creates_and_updates_with_relations(catalogue):
    changed = {
        **NEW_ROW,
        "code": "3212",
        "number": "3212",
        "sub_working_group": "3.2",
        "title": "#ScaleUp (revised title)",
    }
    result = InitiativeResource().import_data(
        initiatives_dataset([NEW_ROW, changed]), dry_run=False
    )
    assert not result.has_errors() and not result.has_validation_errors()
    created = Initiative.objects.get(code="3310")
    assert created.lead_organization.acronym == "UNODC"
    assert sorted(created.partner_organizations.values_list("acronym", flat=True)) == [
        "PAHO",
        "WHO",
    ]
    assert created.regions == ["africa", "americas"]
    assert "PAHO" in created.search_keywords  # searchable by its partners at once
    assert Initiative.objects.get(code="3212").title == "#ScaleUp (revised title)"


def test_a_bad_file_names_each_row_and_field_and_writes_nothing(catalogue):
    before = Initiative.objects.count()
    rows = [
        NEW_ROW,
        {**NEW_ROW, "code": "3311", "number": "3311", "sub_working_group": "9.9"},
        {**NEW_ROW, "code": "33X1", "number": "3311"},
        {**NEW_ROW, "code": "3312", "number": "3312", "lead_organization": "ACME"},
        {**NEW_ROW, "code": "3313", "number": "3313", "status": "someday"},
    ]
    result = InitiativeResource().import_data(initiatives_dataset(rows), dry_run=False)

    assert result.has_validation_errors() or result.has_errors()
    problems = {}
    for invalid in result.invalid_rows:
        problems[invalid.number] = invalid.field_specific_errors | {
            "__all__": invalid.non_field_specific_errors
        }
    for row_errors in result.row_errors():
        problems.setdefault(row_errors[0], {})["__error__"] = [str(e.error) for e in row_errors[1]]
    assert set(problems) == {2, 3, 4, 5}, problems
    assert "sub_working_group" in problems[2]
    assert "code" in problems[3]
    assert "lead_organization" in problems[4]
    assert "status" in problems[5]
    assert Initiative.objects.count() == before
    assert not Initiative.objects.filter(code="3310").exists()  # the good row was not kept


def test_organizations_and_contacts_round_trip(catalogue):
    organizations = OrganizationResource().export()
    assert len(organizations) == 15
    data = tablib.Dataset(headers=["acronym", "name", "website", "email"])
    data.append(["WCO", "World Customs Organization", "https://www.wcoomd.org", "cap@wco.example"])
    data.append(["NEW", "A new organization", "", "not-an-email"])
    result = OrganizationResource().import_data(data, dry_run=False)
    assert result.has_validation_errors()
    assert "email" in result.invalid_rows[0].field_specific_errors
    assert Organization.objects.get(acronym="WCO").email == ""  # nothing written

    contacts = tablib.Dataset(headers=["name", "job_title", "organization", "email"])
    contacts.append(["Ana Example", "Officer", "UNODC", "ana@un.example"])
    result = ContactResource().import_data(contacts, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Contact.objects.get(name="Ana Example").organization.acronym == "UNODC"


def test_the_admin_import_previews_a_bad_file_with_its_errors(editor_client, catalogue):
    bad = initiatives_dataset([NEW_ROW, {**NEW_ROW, "code": "3311", "sub_working_group": "9.9"}])
    upload = io.BytesIO(bad.export("csv").encode())
    upload.name = "initiatives.csv"
    response = editor_client.post(
        "/admin/initiatives/initiative/import/",
        {"resource": 0, "format": 0, "import_file": upload},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'validation-error-field-label">sub_working_group' in html
    assert "no sub working group has code &#x27;9.9&#x27;" in html
    assert "Confirm import" not in html
    assert not Initiative.objects.filter(code="3310").exists()


def test_xlsx_export_and_import(catalogue):
    exported = OrganizationResource().export()
    xlsx = exported.export("xlsx")
    back = tablib.Dataset().load(xlsx, format="xlsx")
    assert len(back) == 15
    result = OrganizationResource().import_data(back, dry_run=True)
    assert not result.has_errors() and result.totals["skip"] == 15
