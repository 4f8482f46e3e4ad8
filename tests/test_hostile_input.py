"""Hostile input against every public surface: never a 500, never reflected unescaped, nothing
stored for what is rejected. (The longer runs against gunicorn belong to the reliability suite.)"""

import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from django.test import Client

from initiatives.registrations.models import OutboundEmail, Registration
from tests.conftest import registration_form

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "'; DROP TABLE initiatives_initiative; --",
    "1 OR 1=1",
    "' OR ''='",
    "\\",
    "%",
    "_",
    "&|!<->:*()",
    "{{7*7}}",
    "${7*7}",
    "\x00",
    "a\x00b",
    "\r\nSet-Cookie: injected=1",
    "\u202egnp.exe",
    "😀" * 300,
    "x" * 100_000,
    "-1",
    "99999999999999999999999",
    "0",
    "NaN",
    "null",
    "[]",
    "../../../../etc/passwd",
]
# Payloads that must never come back as live markup.
MARKUP = [p for p in PAYLOADS if "<" in p]


def assert_safe(response, payload: str | None = None) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:300])
    content_type = response.get("Content-Type", "")
    if payload and "<" in payload and content_type.startswith("text/html"):
        assert payload not in response.content.decode("utf-8", "replace")


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize(
    "name", ["q", "group", "working_group", "organization", "status", "region", "sort", "page"]
)
def test_list_parameters(client, catalogue, name, payload):
    assert_safe(client.get("/", {name: payload}), payload)


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("name", ["q", "group", "organization", "sort", "page", "page_size"])
def test_api_parameters(client, catalogue, name, payload):
    response = client.get("/api/initiatives/", {name: payload})
    assert_safe(response, payload)
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("payload", [*PAYLOADS, "\x01\x1f", "\ufffe", "a\x0bb"])
@pytest.mark.parametrize(
    "name", ["q", "group", "working_group", "organization", "status", "region", "sort", "page"]
)
def test_feed_parameters(client, catalogue, name, payload):
    """The feed is XML: what it echoes (its title, its self link) is escaped, and characters XML
    cannot carry are left out rather than breaking it."""
    for url in ("/feed/", "/ar/feed/"):
        response = client.get(
            url, {name: payload, "q": "naloxone"} if name != "q" else {name: payload}
        )
        assert_safe(response, payload)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
        feed = ET.fromstring(response.content)  # well-formed, whatever was sent
        assert feed.find("{http://www.w3.org/2005/Atom}title").text
        if "<" in payload:
            assert payload not in response.content.decode()


@pytest.mark.parametrize("payload", PAYLOADS + ["2206a", "2206A%00", "%2e%2e%2f"])
def test_code_urls(client, catalogue, payload):
    path = quote(payload[:2000], safe="")
    assert_safe(client.get(f"/initiatives/{path}/"), payload)
    assert_safe(client.get(f"/api/initiatives/{path}/"), payload)
    assert_safe(client.get(f"/register/?initiative={path}"), payload)


@pytest.mark.parametrize(
    "query",
    ["q=%ff%fe%fd", "q=%", "q=%zz", "group=%c0%af", "page=%00", "q=" + "%41" * 30_000, "q&&&=="],
)
def test_invalid_encoding(client, catalogue, query):
    assert_safe(client.generic("GET", "/", QUERY_STRING=query))
    assert_safe(client.generic("GET", "/api/initiatives/", QUERY_STRING=query))
    feed = client.generic("GET", "/feed/", QUERY_STRING=query)
    assert_safe(feed)
    ET.fromstring(feed.content)


@pytest.mark.parametrize("page", ["-5", "0", "10000000000000000000000", "1e9", "last", "2.5"])
def test_page_numbers(client, catalogue, page):
    assert_safe(client.get("/", {"page": page, "q": "drug"}))
    assert_safe(client.get("/api/initiatives/", {"page": page}))


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
@pytest.mark.parametrize("url", ["/", "/api/initiatives/", "/api/initiatives/1101/", "/healthz"])
def test_wrong_methods(client, catalogue, method, url):
    response = getattr(client, method)(url)
    assert response.status_code in {403, 405}, (method, url, response.status_code)


FORM_FIELDS = ["full_name", "job_title", "agency", "country", "email", "phone", "initiatives"]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", FORM_FIELDS)
def test_registration_form_fields(client, catalogue, settings, field, payload):
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    settings.REGISTRATION_RATE_LIMITS = {"ip": (10_000, 3600), "email": (10_000, 3600)}
    value = [payload] if field == "initiatives" else payload
    response = client.post(
        "/register/", registration_form(**{"initiatives": ["1101"], field: value})
    )
    assert_safe(response, payload)
    if response.status_code == 302:
        # Accepted as plain text (a name may contain "<"): shown escaped, never as markup.
        assert Registration.objects.count() == 1
        assert_safe(client.get(response["Location"]), payload)
    else:
        assert response.status_code == 400
        assert Registration.objects.count() == 0
        assert OutboundEmail.objects.count() == 0


def test_a_missing_or_stale_csrf_token_is_refused(catalogue):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/register/", registration_form(initiatives=["1101"])).status_code == 403
    strict.get("/register/")
    stale = {**registration_form(initiatives=["1101"]), "csrfmiddlewaretoken": "x" * 64}
    assert strict.post("/register/", stale).status_code == 403
    assert strict.post("/shortlist/", {"add": "1101"}).status_code == 403
    assert Registration.objects.count() == 0


def test_an_oversized_body_is_refused(client, catalogue):
    big = registration_form(initiatives=["1101"], message="x" * (3 * 1024 * 1024))
    response = client.post("/register/", big)
    assert response.status_code == 400
    assert Registration.objects.count() == 0


def test_the_corpus_is_large_enough(request):
    """At least 150 hostile requests, counted from what pytest actually collected here."""
    here = request.node.path
    cases = [item for item in request.session.items if item.path == here]
    assert len(cases) - 1 >= 150
