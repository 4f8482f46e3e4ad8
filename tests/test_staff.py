"""Staff roles, accounts and edit history."""

import os
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from initiatives.models import Initiative, Organization
from initiatives.roles import ADMINISTRATOR, EDITOR
from tests.conftest import admin_change_form, sign_in_with_second_factor
from tests.factories import STAFF_PASSWORD, make_initiative, make_staff_user

pytestmark = pytest.mark.django_db
PASSWORD = STAFF_PASSWORD


staff = make_staff_user


def test_both_roles_exist_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= {EDITOR, ADMINISTRATOR}


def test_create_staff_user_puts_the_account_in_its_role():
    user = staff("editor", "ed")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [EDITOR]
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"role": "owner"}, "The role must be one of: administrator, editor"),
        ({"email": "not-an-address"}, "not a valid e-mail address"),
        ({"password": "short"}, "Password refused"),
        ({"username": None}, "--username is required"),
    ],
)
def test_create_staff_user_refuses_bad_input(options, message):
    arguments = {
        "username": "someone",
        "email": "someone@coalition.example",
        "role": "editor",
        "password": PASSWORD,
        "no_input": True,
    }
    arguments.update(options)
    arguments = {key: value for key, value in arguments.items() if value is not None}
    with pytest.raises(CommandError, match=message):
        call_command("create_staff_user", stdout=StringIO(), **arguments)
    assert not get_user_model().objects.filter(username="someone").exists()


def test_an_editor_edits_but_cannot_delete_initiatives_or_manage_users(client, catalogue):
    sign_in_with_second_factor(client, staff("editor", "ed"))
    initiative = Initiative.objects.get(code="1101")
    assert client.get(f"/admin/initiatives/initiative/{initiative.pk}/change/").status_code == 200
    assert client.get("/admin/initiatives/initiative/add/").status_code == 200
    assert client.get("/admin/initiatives/organization/add/").status_code == 200
    assert client.get("/admin/registrations/registration/").status_code == 200
    assert client.get(f"/admin/initiatives/initiative/{initiative.pk}/delete/").status_code == 403
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403
    # The delete action is not offered either.
    changelist = client.get("/admin/initiatives/initiative/").content.decode()
    assert 'value="delete_selected"' not in changelist


def test_an_administrator_can_do_everything(client, catalogue):
    sign_in_with_second_factor(client, staff("administrator", "boss"))
    initiative = Initiative.objects.get(code="1101")
    assert client.get(f"/admin/initiatives/initiative/{initiative.pk}/delete/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 200


def test_edits_are_recorded_with_who_and_can_be_reverted(client, catalogue):
    editor = staff("editor", "anna-editor")
    sign_in_with_second_factor(client, editor)
    initiative = Initiative.objects.get(code="2105")
    original_title = initiative.title
    form = admin_change_form(initiative, title="A corrected title")
    response = client.post(f"/admin/initiatives/initiative/{initiative.pk}/change/", form)
    assert response.status_code == 302

    history = Initiative.history.filter(id=initiative.pk).order_by("-history_date")
    latest = history.first()
    assert latest.title == "A corrected title"
    assert latest.history_user == editor
    page = client.get(f"/admin/initiatives/initiative/{initiative.pk}/history/")
    assert page.status_code == 200
    assert "anna-editor" in page.content.decode()

    # The version the seed load wrote, viewed and reverted to from the admin.
    before = history.filter(title=original_title).first()
    assert before is not None
    version_url = f"/admin/initiatives/initiative/{initiative.pk}/history/{before.history_id}/"
    version = client.get(version_url)
    assert version.status_code == 200
    assert original_title in version.content.decode()
    versions = Initiative.history.filter(id=initiative.pk).count()
    response = client.post(version_url, {**form, "title": original_title})
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.title == original_title
    # The revert is itself a recorded change.
    assert Initiative.history.filter(id=initiative.pk).count() == versions + 1


def test_organization_changes_are_recorded(catalogue):
    organization = Organization.objects.get(acronym="WCO")
    organization.email = "capacity@wcoomd.example"
    organization.save()
    assert organization.history.first().email == "capacity@wcoomd.example"


def test_the_admin_address_comes_from_the_environment():
    import subprocess
    import sys

    script = (
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('admin:index'))"
    )
    env = {**os.environ, "ADMIN_URL": "/staff-desk/"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "DJANGO_SETTINGS_MODULE": "catalogue.settings"},
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "/staff-desk/", result.stderr


def test_staff_sessions_expire_when_idle(client, catalogue, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 900
    sign_in_with_second_factor(client, staff("editor", "ed"))
    client.get("/admin/")
    assert client.session.get_expiry_age() == 900


def test_staff_preview_drafts_that_the_public_cannot_see(client, catalogue):
    draft = make_initiative(
        sub_working_group="1.1", title="Naloxone for first responders", is_published=False
    )
    assert client.get(draft.get_absolute_url()).status_code == 404
    sign_in_with_second_factor(client, staff("editor", "ed"))
    preview = client.get(draft.get_absolute_url())
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Draft preview." in html and 'content="noindex, nofollow"' in html
    # Still absent from every public listing, even for staff.
    assert f'id="i-{draft.code}"' not in client.get("/?q=naloxone").content.decode()
    assert draft.code not in client.get("/export.csv").content.decode()
    codes = [
        item["code"] for item in client.get("/api/initiatives/?page_size=100").json()["results"]
    ]
    assert draft.code not in codes
    published = client.get("/initiatives/3212/").content.decode()
    assert "Draft preview." not in published


def test_richer_records_show_only_what_is_filled(client, catalogue):
    sign_in_with_second_factor(client, staff("editor", "ed"))
    initiative = Initiative.objects.get(code="2105")
    plain_html = client.get("/initiatives/2105/").content.decode()
    plain_api = client.get("/api/initiatives/2105/").json()
    assert "<dt>Status</dt>" not in plain_html and "Last reviewed" not in plain_html
    assert "status" not in plain_api and "regions" not in plain_api

    form = admin_change_form(
        initiative,
        status="active",
        delivery_mode="hybrid",
        languages="English, Spanish",
        regions=["americas", "africa"],
        eligible_countries=["CO", "KE"],
        participating_countries=["MX"],
        last_reviewed="2026-10-01",
    )
    response = client.post(f"/admin/initiatives/initiative/{initiative.pk}/change/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors

    html = client.get("/initiatives/2105/").content.decode()
    assert "<dt>Status</dt><dd>Active</dd>" in html
    assert "<dt>Delivery</dt><dd>Hybrid</dd>" in html
    assert "<dt>Regions</dt><dd>Americas, Africa</dd>" in html
    assert "Colombia, Kenya" in html and "Mexico" in html
    assert '<time datetime="2026-10-01">1 October 2026</time>' in html
    item = client.get("/api/initiatives/2105/").json()
    assert item["status"] == "active" and item["regions"] == ["americas", "africa"]
    assert item["eligible_countries"] == ["CO", "KE"]
    assert item["last_reviewed"] == "2026-10-01"
    # These facts are not in the seed file: the record still matches its seed.
    change_page = client.get(f"/admin/initiatives/initiative/{initiative.pk}/change/")
    assert "Matches the seed" in change_page.content.decode()


def test_status_and_region_become_public_filters_once_carried(client, catalogue):
    html = client.get("/").content.decode()
    assert 'id="facet-status"' not in html and 'id="facet-region"' not in html

    Initiative.objects.filter(code__in=["3212", "3211"]).update(status="active")
    Initiative.objects.filter(code="3212").update(regions=["africa", "americas"])
    Initiative.objects.filter(code="1101").update(regions=["africa"])

    html = client.get("/").content.decode()
    assert 'data-facet="status-active">(2)' in html
    assert 'data-facet="region-africa">(2)' in html
    assert 'data-facet="region-americas">(1)' in html
    response = client.get("/?region=africa&status=active")
    codes = [item.code for item in response.context["listing"].page.object_list]
    assert codes == ["3212"]
    api = client.get("/api/initiatives/?region=africa").json()
    assert sorted(item["code"] for item in api["results"]) == ["1101", "3212"]
    assert client.get("/api/initiatives/?region=atlantis").status_code == 400
