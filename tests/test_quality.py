"""The staff data-quality dashboard: each figure counts right and links to its admin list."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from initiatives.models import Contact, Initiative, Organization
from tests.conftest import registration_form

pytestmark = pytest.mark.django_db


def figures(html: str) -> dict[str, tuple[int, str]]:
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th><td><a href="([^"]+)"[^>]*>(\d+)</a></td></tr>', html
    )
    return {label: (int(count), href.replace("&amp;", "&")) for label, href, count in rows}


def register(client, **changes):
    form = registration_form(**{"initiatives": ["1101", "3212"], **changes})
    assert client.post("/register/", form).status_code == 302


def test_catalogue_gaps_are_counted_and_linked(editor_client, catalogue, settings):
    unodc = Organization.objects.get(acronym="UNODC")
    unodc.email = "info@unodc.example"
    unodc.save()
    contact = Contact.objects.create(name="Ana", organization=unodc, email="ana@un.example")
    Initiative.objects.filter(code__in=["3212", "3211"]).update(point_of_contact=contact)
    Initiative.objects.filter(code="3212").update(last_reviewed=timezone.localdate())
    Initiative.objects.filter(code="3211").update(
        last_reviewed=timezone.localdate() - timedelta(days=400)
    )
    Initiative.objects.filter(code="1101").update(is_published=False)

    html = editor_client.get("/admin/quality/").content.decode()
    found = figures(html)

    assert found["Initiatives with no point of contact"][0] == 116
    assert found["Initiatives with no lead organization"][0] == 63
    assert found["Initiatives not reviewed for over 12 months"][0] == 117
    assert found["Unpublished initiatives (drafts)"][0] == 1
    assert found["Organizations without a contact e-mail"][0] == 14
    # Each figure's link opens the admin list with exactly that many entries.
    for label, (count, url) in found.items():
        page = editor_client.get(url)
        assert page.status_code == 200, url
        assert page.context["cl"].result_count == count, label


def test_registrations_by_initiative_organization_country_and_month(
    editor_client, client, catalogue, settings
):
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    from django.test import Client

    public = Client()
    register(public)
    register(public, email="kenya@gov.example", country="KE", initiatives=["3212"])
    html = editor_client.get("/admin/quality/").content.decode()
    found = figures(html)
    scaleup = next(label for label in found if label.startswith("3212 "))
    assert found[scaleup][0] == 2
    assert found["UNODC"][0] == 2  # 3212 is UNODC's
    assert found["INCB"][0] == 1  # 1101 is INCB's
    assert found["Colombia"][0] == 1 and found["Kenya"][0] == 1
    assert "Registrations per month: 2 in the last 12 months" in html
    for label in (scaleup, "UNODC", "Colombia"):
        count, url = found[label]
        assert url.startswith("/admin/registrations/registration/?"), url
        assert editor_client.get(url).context["cl"].result_count == count, label


def test_the_dashboard_is_for_staff_only(client, catalogue):
    response = client.get("/admin/quality/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert "Data quality dashboard" not in client.get("/").content.decode()


def test_the_admin_index_links_to_the_dashboard(editor_client, catalogue):
    assert 'href="/admin/quality/"' in editor_client.get("/admin/").content.decode()
