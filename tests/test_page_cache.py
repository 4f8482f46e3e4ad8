"""The page cache: served from cache, never stale, never shared across sessions or users."""

import importlib
import re
import uuid
import zlib
from datetime import UTC, date, datetime

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from catalogue.page_cache.middleware import Entry
from catalogue.page_cache.models import CatalogueVersion
from initiatives import whats_new
from initiatives.filters import FilterChoices
from initiatives.models import Contact, Initiative, Organization
from initiatives.resources import InitiativeResource
from tests.conftest import admin_change_form, sign_in_with_second_factor
from tests.test_bulk import NEW_ROW, initiatives_dataset

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/?q=precursor+disposal",
    "/initiatives/1101/",
    "/api/initiatives/",
    "/feed/?q=naloxone",
]
TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")([A-Za-z0-9]+)"')
PER_REQUEST = {"X-Request-ID"}


@pytest.fixture(autouse=True)
def page_cache(settings):
    """On, and empty for this test: its own release, so no other test's pages are found (and
    nothing is flushed from a shared Redis when CACHE_URL is set)."""
    settings.PAGE_CACHE_SECONDS = 600
    settings.PAGE_CACHE_RELEASE = f"test-{uuid.uuid4().hex}"


REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own, flushed by these tests


@pytest.fixture(params=["memory", "redis"])
def backend(request, settings):
    """The pages cache in this process's memory (as configured for the tests), or in Redis."""
    if request.param == "memory":
        yield request.param
        return
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.exceptions.RedisError:  # refused or timed out
        pytest.skip(f"no Redis server at {REDIS_URL} to run the page cache against")
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "page",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        },
    }
    caches["pages"].clear()  # FLUSHDB of database 15 only
    yield request.param
    caches["pages"].clear()


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
    sign_in_with_second_factor(client, user)
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
    backend, client, catalogue, url, encoding
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


def test_gzip_and_plain_are_both_served_from_one_entry(backend, client, catalogue):
    plain, _ = get(client, "/")
    compressed = assert_cached(client, "/", accept_encoding="gzip")
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert len(compressed.content) < len(plain.content) / 4
    assert without_token(decoded(compressed)) == without_token(plain.content)
    assert TOKEN.search(decoded(compressed)).group(2) != TOKEN.search(plain.content).group(2)
    again = assert_cached(client, "/")
    assert not again.has_header("Content-Encoding")


def test_an_orm_edit_shows_at_once_on_list_detail_and_api(backend, client, catalogue):
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


TRIGGERS = {"page_cache_changed", "page_cache_version_at_commit", "page_cache_version_truncate"}


def test_every_catalogue_table_bumps_the_version():
    """A table the public pages read from without the triggers would serve stale pages."""
    initial = importlib.import_module("catalogue.page_cache.migrations.0001_initial")
    deferred = importlib.import_module("catalogue.page_cache.migrations.0002_deferred_version_bump")
    translations = importlib.import_module(
        "catalogue.page_cache.migrations.0003_translations_bump_the_version"
    )
    catalogue_tables = {
        model._meta.db_table
        for model in apps.get_app_config("initiatives").get_models(include_auto_created=True)
        if model.__module__ == "initiatives.models" and "historical" not in model._meta.db_table
    }
    # Search bookkeeping, not page content: a phrase is listed together with rewriting the
    # initiatives that hold it, and that rewrite bumps the version; the vocabulary's words
    # change only with the initiatives, whose writes bump it.
    catalogue_tables -= {
        "initiatives_searchphrase",
        "initiatives_searchword",
        "initiatives_searchwordchange",
    }
    with connection.cursor() as cursor:
        # pg_trigger, not information_schema.triggers (which leaves TRUNCATE triggers out).
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE tgname LIKE 'page_cache%'"
        )
        triggered = {}
        for table, name in cursor.fetchall():
            triggered.setdefault(table, set()).add(name)
    assert set(initial.CATALOGUE_TABLES) == set(deferred.CATALOGUE_TABLES)
    assert catalogue_tables == set(deferred.CATALOGUE_TABLES + translations.CATALOGUE_TABLES)
    assert triggered == dict.fromkeys(catalogue_tables, TRIGGERS)


def version_rows_written() -> int:
    """How many times the version row was written: by this transaction so far, plus by earlier
    ones whose statistics this connection has not reported yet (so compare two readings)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_stat_get_xact_tuples_inserted(oid) + pg_stat_get_xact_tuples_updated(oid) "
            "FROM pg_class WHERE oid = 'page_cache_catalogueversion'::regclass"
        )
        return cursor.fetchone()[0]


def test_writes_bump_the_version_once_at_commit_not_at_each_statement():
    before = CatalogueVersion.objects.get().token
    written = version_rows_written()
    Contact.objects.bulk_create(
        Contact(name=f"Bulk {number}", email=f"bulk{number}@example.org") for number in range(50)
    )
    Organization.objects.filter(acronym="INCB").update(email="secretariat@incb.org")
    assert version_rows_written() == written  # no lock on the version row before commit

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT does first
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert version_rows_written() == written + 1
    assert CatalogueVersion.objects.get().token != before


def test_writers_do_not_wait_for_each_other_on_the_version_row():
    """Two transactions writing different catalogue rows in opposite orders: with the version
    row locked from each transaction's first write to its commit, the second writer waited for
    the first (and with a row lock of its own taken first, they could deadlock)."""
    settings_dict = connection.settings_dict
    parameters = {
        "dbname": settings_dict["NAME"],
        "user": settings_dict["USER"],
        "password": settings_dict["PASSWORD"],
        "host": settings_dict["HOST"],
        "port": settings_dict["PORT"],
    }
    parameters = {name: value for name, value in parameters.items() if value}
    organizations = list(Organization.objects.order_by("pk").values_list("pk", flat=True)[:2])
    initiatives = list(Initiative.objects.order_by("pk").values_list("pk", flat=True)[:2])
    # Writes that change nothing, committed by connections of their own (seen by later tests).
    touch_organization = "UPDATE initiatives_organization SET name = name WHERE id = %s"
    touch_initiative = "UPDATE initiatives_initiative SET title = title WHERE id = %s"
    read_version = "SELECT token FROM page_cache_catalogueversion WHERE id = 1"
    first, second, reader = (connection.Database.connect(**parameters) for _ in range(3))
    try:
        for writer in (first, second, reader):
            writer.autocommit = True
        before = reader.execute(read_version).fetchone()[0]
        for writer in (first, second):
            writer.execute("BEGIN")
            writer.execute("SET LOCAL lock_timeout = '2s'")
        first.execute(touch_organization, [organizations[0]])
        second.execute(touch_initiative, [initiatives[0]])  # waited for `first` before
        second.execute(touch_organization, [organizations[1]])
        first.execute(touch_initiative, [initiatives[1]])
        assert reader.execute(read_version).fetchone()[0] == before

        first.execute("COMMIT")
        after_first = reader.execute(read_version).fetchone()[0]
        second.execute("COMMIT")
        after_second = reader.execute(read_version).fetchone()[0]
        assert len({before, after_first, after_second}) == 3
    finally:
        for each in (first, second, reader):
            each.close()


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


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("/?x=cache-buster-1234", {}),
        ("/?q=precursor&utm_source=mail", {}),
        ("/initiatives/1101/?q=precursor", {}),
        ("/?q=" + "precursor+" * 120, {}),
        ("/api/initiatives/?ref=abc", {}),
        ("/api/initiatives/1101/", {"Accept": "application/json; indent=4"}),
        ("/api/initiatives/1101/", {"Accept": "application/*"}),
    ],
    ids=[
        "unknown-parameter",
        "known-and-unknown",
        "detail-with-parameter",
        "long-query",
        "api-unknown-parameter",
        "api-accept-with-parameter",
        "api-other-accept",
    ],
)
def test_pages_the_views_do_not_tell_apart_are_served_but_not_stored(
    backend, client, catalogue, stored, url, headers
):
    """A crawler's random parameters or headers must not each add an entry to the cache."""
    for _ in range(2):
        response, queries = get(client, url, **headers)
        assert response.status_code == 200 and queries > 1
    assert stored == []

    get(client, url.split("?")[0])
    assert len(stored) == 1


def test_a_schema_built_without_the_database_is_served_but_not_stored(
    client, catalogue, stored, monkeypatch
):
    def database_down(*args, **kwargs):
        raise DatabaseError("connection lost")

    with monkeypatch.context() as patch:
        patch.setattr(FilterChoices, "load", database_down)
        degraded = client.get("/api/schema/")
    assert degraded.status_code == 200 and b"/api/initiatives/" in degraded.content
    assert b"INCB" not in degraded.content  # no options from the database
    assert stored == []

    complete, _ = get(client, "/api/schema/")
    assert b"INCB" in complete.content and len(stored) == 1
    assert assert_cached(client, "/api/schema/").content == complete.content


def test_an_unreachable_redis_only_costs_speed(client, catalogue, settings):
    """Derived data, fragments and pages all go through the cache: an outage is a miss."""
    unreachable = {
        "BACKEND": "catalogue.cache.ForgivingRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
    settings.CACHES = {"default": unreachable, "pages": {**unreachable, "KEY_PREFIX": "page"}}
    settings.PAGE_CACHE_SECONDS = 600
    for url in ("/", "/?q=naloxone", "/initiatives/3212/", "/api/initiatives/?q=naloxone"):
        assert client.get(url).status_code == 200, url
    assert 'id="i-3210"' in client.get("/?q=naloxone").content.decode()


@pytest.mark.parametrize("url", ["/", "/?q=naloxone", "/initiatives/1101/"])
def test_a_page_in_one_language_is_never_served_in_another(backend, catalogue, url):
    heading = {"en": "Sub-working group", "fr": "Sous-groupe de travail"}
    english, _ = get(Client(), url)
    french, queries = get(Client(), "/fr" + url)
    assert queries > 1, "the French page was served from the English entry"
    assert heading["fr"] in french.content.decode()

    again_french = assert_cached(Client(), "/fr" + url)
    again_english = assert_cached(Client(), url)
    assert heading["fr"] in again_french.content.decode()
    assert heading["en"] in again_english.content.decode()
    assert heading["fr"] not in again_english.content.decode()
    assert again_french["Content-Language"] == "fr" and again_english["Content-Language"] == "en"


def test_the_unprefixed_api_is_cached_per_accept_language(backend, catalogue):
    url = "/api/initiatives/1101/"
    spanish, _ = get(Client(), url, accept_language="es")
    english, queries = get(Client(), url, accept_language="en-GB")
    assert queries > 1, "the English answer was served from the Spanish entry"
    assert spanish.json()["url"].endswith("/es/initiatives/1101/")
    assert english.json()["url"].endswith("/initiatives/1101/")
    assert "/es/" not in english.json()["url"]

    cached_spanish = assert_cached(Client(), url, accept_language="es-MX,es;q=0.9")
    assert cached_spanish.json() == spanish.json()
    assert cached_spanish["Content-Language"] == "es"
    cached_english = assert_cached(Client(), url)
    assert cached_english.json() == english.json()
    assert cached_english["Content-Language"] == "en"


def test_the_cached_result_cards_are_kept_per_language(client, catalogue, settings):
    """The browse list's cards are a fragment kept in the default cache whatever the page
    cache does: each language has its own."""
    settings.PAGE_CACHE_SECONDS = 0
    english = client.get("/").content.decode()
    french = client.get("/fr/").content.decode()
    english_again = client.get("/").content.decode()
    card = re.compile(r'<li class="initiative" id="i-1101">.*?</li>', re.S)
    assert "Add to my shortlist" in card.search(english).group(0)
    assert "Ajouter à ma sélection" in card.search(french).group(0)
    assert "Add to my shortlist" not in card.search(french).group(0)
    assert card.search(english_again).group(0) == card.search(english).group(0)


def test_the_release_changes_with_a_translation(settings, tmp_path):
    """A corrected translation reaches the cached pages at the next deployment."""
    from catalogue.page_cache.version import _code_digest

    catalogue_file = tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    catalogue_file.parent.mkdir(parents=True)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>{% translate 'Search' %}</p>")
    settings.BASE_DIR, settings.STATIC_ROOT = tmp_path, tmp_path / "static"
    catalogue_file.write_text('msgid "Search"\nmsgstr "Recherche"\n')
    before = _code_digest.__wrapped__()
    catalogue_file.write_text('msgid "Search"\nmsgstr "Rechercher"\n')
    assert _code_digest.__wrapped__() != before


def test_a_cached_feed_follows_an_edit_and_is_kept_per_language(client, catalogue):
    get(client, "/feed/?group=3.2")
    assert_cached(client, "/feed/?group=3.2")
    french, queries = get(client, "/fr/feed/?group=3.2")
    assert queries > 1 and 'xml:lang="fr"' in french.content.decode()

    initiative = Initiative.objects.get(code="3212")
    initiative.title = "Zebrafish treatment services"
    initiative.save()
    feed, queries = get(client, "/feed/?group=3.2")
    assert queries > 1
    assert '<title type="text" xml:lang="en">3212 Zebrafish treatment services</title>' in (
        feed.content.decode()
    )


def test_a_cached_list_drops_a_new_mark_when_its_days_are_over(client, catalogue, monkeypatch):
    """Pages are kept per catalogue version, which a day passing does not change: the day is
    part of their key."""
    day = date(2026, 12, 5)
    added = Initiative.objects.get(code="3212")
    Initiative.objects.filter(pk=added.pk).update(published_at=datetime(2026, 11, 5, tzinfo=UTC))
    mark = '<strong class="new-mark">New</strong>'

    monkeypatch.setattr(whats_new, "today", lambda: day)
    for url in ["/", "/?sort=newest", "/?q=scaleup"]:
        first, _ = get(client, url)
        assert mark in first.content.decode(), url
        assert mark in assert_cached(client, url).content.decode(), url

    monkeypatch.setattr(whats_new, "today", lambda: date(2026, 12, 6))
    for url in ["/", "/?sort=newest", "/?q=scaleup"]:
        later, queries = get(client, url)
        assert queries > 1, f"{url} was served from the previous day's entry"
        assert mark not in later.content.decode(), url


def test_a_cached_detail_page_replays_no_nonce(client, catalogue):
    """The JSON-LD script is a data block (never run, so not under the CSP's script-src): it
    carries no nonce, and nothing in a stored page differs from one response to the next."""
    first, _ = get(client, "/initiatives/3212/")
    second = assert_cached(Client(), "/initiatives/3212/")
    for response in (first, second):
        body = response.content.decode()
        assert '<script type="application/ld+json">{' in body
        assert "nonce" not in body
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "nonce" not in policy
        assert "unsafe-inline" not in policy
    assert without_token(second.content) == without_token(first.content)
