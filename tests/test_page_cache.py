"""The page cache: served from cache, never stale, never shared across sessions or users."""

import importlib
import re
import uuid
import zlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from catalogue.page_cache.middleware import Entry
from catalogue.page_cache.models import CatalogueVersion
from initiatives.models import Contact, Initiative, Organization
from initiatives.resources import InitiativeResource
from tests.conftest import admin_change_form
from tests.test_bulk import NEW_ROW, initiatives_dataset

pytestmark = pytest.mark.django_db

PAGES = ["/", "/?q=precursor+disposal", "/initiatives/1101/", "/api/initiatives/"]
TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")([A-Za-z0-9]+)"')
PER_REQUEST = {"X-Request-ID"}


@pytest.fixture(autouse=True)
def page_cache(settings):
    """On, and empty for this test: its own release, so no other test's pages are found (and
    nothing is flushed from a shared Redis when CACHE_URL is set)."""
    settings.PAGE_CACHE_SECONDS = 600
    settings.PAGE_CACHE_RELEASE = f"test-{uuid.uuid4().hex}"


@pytest.fixture
def stored(monkeypatch):
    """The keys the middleware stores pages under."""
    store = caches["pages"]
    keys, original = [], store.set

    def recording_set(key, value, *args, **kwargs):
        keys.append(key)
        return original(key, value, *args, **kwargs)

    monkeypatch.setattr(store, "set", recording_set)
    return keys


def get(client, url, **headers):
    """The response and the number of SQL queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


def assert_cached(client, url, **headers):
    """A hit costs one query: the catalogue version."""
    response, queries = get(client, url, **headers)
    assert response.status_code == 200
    assert queries == 1, f"{url} was rendered ({queries} queries), not served from the cache"
    return response


def without_token(content: bytes) -> bytes:
    return TOKEN.sub(rb"\1\"", content)


@pytest.fixture
def staff_client(db):
    user = get_user_model().objects.create_superuser("staff", "staff@example.org", "pw-123456")
    client = Client()
    client.force_login(user)
    return client


def comparable_headers(response) -> dict:
    """Headers but the per-request ones; Vary as a set (its order carries no meaning); no
    compressed length (gzip's header has a random length, against BREACH)."""
    headers = {k: v for k, v in response.items() if k not in PER_REQUEST}
    if headers.get("Content-Encoding") == "gzip":
        del headers["Content-Length"]
    headers["Vary"] = {part.strip() for part in headers.get("Vary", "").split(",")}
    return headers


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("encoding", ["", "gzip, deflate, br"])
def test_the_second_get_is_served_from_the_cache_with_the_same_content(
    client, catalogue, url, encoding
):
    first, queries = get(client, url, accept_encoding=encoding)
    assert first.status_code == 200 and queries > 1

    second = assert_cached(Client(), url, accept_encoding=encoding)
    assert without_token(decoded(second)) == without_token(decoded(first))
    assert comparable_headers(second) == comparable_headers(first)


def decoded(response) -> bytes:
    if response.get("Content-Encoding") != "gzip":
        return response.content
    # One gzip stream (what every browser decodes), nothing after it.
    stream = zlib.decompressobj(wbits=31)
    content = stream.decompress(response.content)
    assert stream.eof and not stream.unused_data
    return content


def test_security_headers_and_request_id_are_fresh_on_cached_pages(client, catalogue):
    first, _ = get(client, "/")
    second = assert_cached(client, "/")
    third = assert_cached(client, "/", x_request_id="incoming-request-1234")

    assert len({first["X-Request-ID"], second["X-Request-ID"]}) == 2
    assert third["X-Request-ID"] == "incoming-request-1234"
    for response in (second, third):
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert "camera=()" in response["Permissions-Policy"]


def test_each_visitor_gets_a_fresh_csrf_token_and_cookie_that_work(catalogue):
    get(Client(), "/initiatives/1101/")  # fills the cache
    visitors = [Client(enforce_csrf_checks=True) for _ in range(2)]
    tokens = []
    for visitor in visitors:
        response = assert_cached(visitor, "/initiatives/1101/")
        assert "csrftoken" in response.cookies
        tokens.append(TOKEN.search(response.content).group(2).decode())
    assert tokens[0] != tokens[1]
    assert visitors[0].cookies["csrftoken"].value != visitors[1].cookies["csrftoken"].value

    for visitor, token in zip(visitors, tokens, strict=True):
        added = visitor.post("/shortlist/", {"add": "1101", "csrfmiddlewaretoken": token})
        assert added.status_code == 302


def test_gzip_and_plain_are_both_served_from_one_entry(client, catalogue):
    plain, _ = get(client, "/")
    compressed = assert_cached(client, "/", accept_encoding="gzip")
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert len(compressed.content) < len(plain.content) / 4
    assert without_token(decoded(compressed)) == without_token(plain.content)
    assert TOKEN.search(decoded(compressed)).group(2) != TOKEN.search(plain.content).group(2)
    again = assert_cached(client, "/")
    assert not again.has_header("Content-Encoding")


def test_an_orm_edit_shows_at_once_on_list_detail_and_api(client, catalogue):
    for url in ["/", "/initiatives/1101/", "/api/initiatives/1101/", "/?q=zebrafish"]:
        get(client, url)
        assert_cached(client, url)

    initiative = Initiative.objects.get(code="1101")
    initiative.title = "Zebrafish precursor control"
    initiative.save()

    assert "Zebrafish precursor control" in client.get("/").content.decode()
    assert "Zebrafish precursor control" in client.get("/initiatives/1101/").content.decode()
    assert client.get("/api/initiatives/1101/").json()["title"] == "Zebrafish precursor control"
    assert 'id="i-1101"' in client.get("/?q=zebrafish").content.decode()


def test_an_admin_edit_shows_at_once(client, staff_client, catalogue):
    get(client, "/initiatives/2105/")
    assert_cached(client, "/initiatives/2105/")
    initiative = Initiative.objects.get(code="2105")

    form = admin_change_form(initiative, title="Retitled in the admin", partner_organizations=[])
    response = staff_client.post(f"/admin/initiatives/initiative/{initiative.pk}/change/", form)
    assert response.status_code == 302

    assert "Retitled in the admin" in client.get("/initiatives/2105/").content.decode()


@pytest.mark.parametrize(
    ("url", "change"),
    [
        ("/", lambda: Initiative.objects.filter(code="1101").update(is_published=False)),
        ("/", lambda: Initiative.objects.filter(code="1101").delete()),
        ("/", lambda: Organization.objects.filter(acronym="INCB").update(name="Renamed Board")),
        (
            "/initiatives/2105/",
            lambda: Initiative.objects.get(code="2105").partner_organizations.set(
                Organization.objects.filter(acronym="WHO")
            ),
        ),
        ("/initiatives/3212/", lambda: Contact.objects.filter(name="Dr A").update(name="Dr B")),
    ],
    ids=["update-unpublish", "delete", "organization-update", "partners-m2m", "contact"],
)
def test_any_write_to_the_catalogue_invalidates(client, catalogue, url, change):
    contact = Contact.objects.create(name="Dr A", email="a@example.org")
    Initiative.objects.filter(code="3212").update(point_of_contact=contact)
    before, _ = get(client, url)
    assert_cached(client, url)

    change()

    after, queries = get(client, url)
    assert queries > 1 and without_token(after.content) != without_token(before.content)


def test_a_bulk_import_invalidates(client, catalogue):
    get(client, "/api/initiatives/?page_size=100&group=3.3")
    assert "3310" not in assert_cached(client, "/api/initiatives/?page_size=100&group=3.3").json()

    result = InitiativeResource().import_data(initiatives_dataset([NEW_ROW]), dry_run=False)
    assert not result.has_errors()

    listed = client.get("/api/initiatives/?page_size=100&group=3.3").json()
    assert "3310" in {item["code"] for item in listed["results"]}


def test_a_shortlist_is_never_served_from_or_into_the_cache(client, catalogue, stored):
    get(client, "/")
    assert_cached(client, "/")
    shortlister = Client()
    shortlister.post("/shortlist/", {"add": "1101"})
    stored.clear()

    own, queries = get(shortlister, "/")
    assert queries > 1 and stored == []
    html = own.content.decode()
    assert "My shortlist (1)" in html
    assert 'href="/shortlist/">On your shortlist</a>' in html

    anonymous = assert_cached(Client(), "/").content.decode()
    assert "My shortlist (1)" not in anonymous and "On your shortlist" not in anonymous


def test_signed_in_staff_are_never_served_from_or_into_the_cache(
    client, staff_client, catalogue, stored
):
    get(client, "/")
    assert_cached(client, "/")
    stored.clear()
    for _ in range(2):
        page, queries = get(staff_client, "/")
        assert queries > 1
    Initiative.objects.filter(code="1101").update(is_published=False)
    for _ in range(2):
        preview, queries = get(staff_client, "/initiatives/1101/")
        assert preview.status_code == 200 and queries > 1
        assert "Draft preview" in preview.content.decode()
    assert stored == []
    assert client.get("/initiatives/1101/").status_code == 404


@pytest.mark.parametrize(
    "url", ["/initiatives/NOPE/", "/?q=2114", "/register/", "/shortlist/", "/admin/login/"]
)
def test_errors_redirects_registration_and_admin_pages_are_not_cached(
    client, catalogue, stored, url
):
    statuses = {client.get(url).status_code for _ in range(2)}
    assert statuses <= {200, 302, 404} and len(statuses) == 1
    assert stored == []


def test_responses_that_set_cookies_or_state_are_not_stored(catalogue, settings):
    request = RequestFactory().get("/")
    request.session = importlib.import_module(settings.SESSION_ENGINE).SessionStore()
    plain = HttpResponse(b"page")
    assert Entry.of(request, plain, view_set_csrf=False) is not None

    with_cookie = HttpResponse(b"page")
    with_cookie.set_cookie("tracking", "1")
    private = HttpResponse(b"page", headers={"Cache-Control": "private"})
    varies = HttpResponse(b"page", headers={"Vary": "Accept-Language"})
    for response in (with_cookie, private, varies, HttpResponse(b"gone", status=410)):
        assert Entry.of(request, response, view_set_csrf=False) is None

    request.session["shortlist"] = ["1101"]
    assert Entry.of(request, plain, view_set_csrf=False) is None


def test_switched_off_nothing_is_cached(client, catalogue, settings):
    settings.PAGE_CACHE_SECONDS = 0
    get(client, "/")
    _, queries = get(client, "/")
    assert queries > 1


def test_a_cache_outage_only_costs_speed(client, catalogue, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    store = caches["pages"]
    monkeypatch.setattr(store, "get", broken)
    monkeypatch.setattr(store, "set", broken)
    response = client.get("/initiatives/1101/")
    assert response.status_code == 200 and b"1101" in response.content


def test_every_catalogue_table_bumps_the_version():
    """A table the public pages read from without the trigger would serve stale pages."""
    migration = importlib.import_module("catalogue.page_cache.migrations.0001_initial")
    catalogue_tables = {
        model._meta.db_table
        for model in apps.get_app_config("initiatives").get_models(include_auto_created=True)
        if model.__module__ == "initiatives.models" and "historical" not in model._meta.db_table
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_object_table FROM information_schema.triggers "
            "WHERE trigger_name = 'page_cache_version'"
        )
        triggered = {row[0] for row in cursor.fetchall()}
    assert catalogue_tables == set(migration.CATALOGUE_TABLES)
    assert catalogue_tables <= triggered


def test_the_api_is_cached_per_accept_header(client, catalogue, settings):
    """DRF negotiates on Accept: a JSON page must not answer a client that accepts none."""
    settings.PAGE_CACHE_SECONDS = 0
    refused = client.get("/api/initiatives/1101/", headers={"Accept": "text/html"})
    assert refused.status_code == 406
    settings.PAGE_CACHE_SECONDS = 600

    get(client, "/api/initiatives/1101/")
    assert_cached(client, "/api/initiatives/1101/")
    again = client.get("/api/initiatives/1101/", headers={"Accept": "text/html"})
    assert again.status_code == 406


def test_without_a_version_row_nothing_is_cached_until_the_next_write(client, catalogue, stored):
    CatalogueVersion.objects.all().delete()
    for _ in range(2):
        get(client, "/initiatives/1101/")
    assert stored == []

    Organization.objects.filter(acronym="INCB").update(email="secretariat@incb.org")
    get(client, "/initiatives/1101/")
    assert_cached(client, "/initiatives/1101/")
