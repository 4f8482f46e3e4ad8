"""The open-data API: same filters and search as the list, clear 400s, an OpenAPI schema."""

import pytest
import yaml

from initiatives.models import Initiative, Organization, SubWorkingGroup
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_an_initiative_has_every_documented_field(client, catalogue):
    item = get_json(client, "/api/initiatives/2206a/")
    assert item == {
        "code": "2206A",
        "number": "2206",
        "sub_working_group": {
            "code": "2.2",
            "name": "Information Sharing, Interagency Collaboration and Policy Formulation",
        },
        "working_group": {
            "number": 2,
            "name": "Detecting emerging drug threats and use patterns",
        },
        "title": "International Network for Legislation on Drugs (INLOD)",
        "lead_organization": {
            "acronym": "UNODC",
            "name": "United Nations Office on Drugs and Crime (UNODC)",
        },
        "partner_organizations": [],
        "description": Initiative.objects.get(code="2206A").description,
        "url": "http://testserver/initiatives/2206A/",
        "field_languages": {"title": "en", "description": "en"},
    }
    assert get_json(client, "/api/initiatives/2105/")["lead_organization"] is None


def test_the_list_is_paginated_and_complete(client, catalogue):
    page = get_json(client, "/api/initiatives/?page_size=50")
    assert page["count"] == 118
    assert len(page["results"]) == 50
    codes = [item["code"] for item in page["results"]]
    assert codes == list(
        Initiative.objects.in_catalogue_order().values_list("code", flat=True)[:50]
    )
    last = get_json(client, "/api/initiatives/?page_size=50&page=3")
    assert len(last["results"]) == 18 and last["next"] is None


def test_the_same_filters_and_search_as_the_html_list(client, catalogue):
    data = get_json(client, "/api/initiatives/?group=1.1&group=3.3&organization=INCB")
    expected = Initiative.objects.filter(
        sub_working_group__code__in=["1.1", "3.3"], lead_organization__acronym="INCB"
    )
    assert {item["code"] for item in data["results"]} == set(
        expected.values_list("code", flat=True)
    )

    ranked = get_json(client, "/api/initiatives/?q=naloxone")
    assert ranked["results"][0]["code"] == "3210"
    titles = [
        i["title"] for i in get_json(client, "/api/initiatives/?q=precursor&sort=title")["results"]
    ]
    assert titles == sorted(titles)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("group=9.9", "group"),
        ("organization=NOPE", "organization"),
        ("working_group=7", "working_group"),
        ("sort=sideways", "sort"),
        ("page=abc", "page"),
        ("page=-1", "page"),
        ("page_size=1000", "page_size"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_invalid_parameters_get_a_400_naming_the_parameter(client, catalogue, query, field):
    errors = get_json(client, f"/api/initiatives/?{query}", status=400)
    assert list(errors) == [field]
    assert errors[field] and all(isinstance(message, str) for message in errors[field])


def test_a_page_past_the_end_is_a_404_and_an_unknown_code_too(client, catalogue):
    assert client.get("/api/initiatives/?page=99").status_code == 404
    assert get_json(client, "/api/initiatives/9999/", status=404)["detail"]


def test_unpublished_initiatives_are_not_in_the_api(client, catalogue):
    Initiative.objects.filter(code="3210").update(is_published=False)
    assert get_json(client, "/api/initiatives/")["count"] == 117
    assert "3210" not in [
        i["code"] for i in get_json(client, "/api/initiatives/?q=naloxone")["results"]
    ]


def test_the_openapi_schema_documents_the_endpoints_and_filters(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    listing = schema["paths"]["/api/initiatives/"]["get"]
    names = {parameter["name"] for parameter in listing["parameters"]}
    assert {"q", "group", "working_group", "organization", "sort", "page", "page_size"} <= names
    assert "/api/initiatives/{code}/" in schema["paths"]
    fields = schema["components"]["schemas"]["Initiative"]["properties"]
    assert {"code", "title", "lead_organization", "working_group", "url"} <= set(fields)
    assert set(listing["responses"]) == {"200", "400", "404"}
    assert set(schema["paths"]["/api/initiatives/{code}/"]["get"]["responses"]) == {"200", "404"}


def filter_options(client) -> dict:
    schema = yaml.safe_load(client.get("/api/schema/").content)
    return {
        parameter["name"]: parameter["schema"].get("items", parameter["schema"]).get("enum")
        for parameter in schema["paths"]["/api/initiatives/"]["get"]["parameters"]
    }


def test_the_schema_lists_the_filter_options_the_catalogue_has(client, catalogue):
    """Any other value is a 400, so the schema names exactly the values a request may use."""
    options = filter_options(client)
    assert set(options["group"]) == set(SubWorkingGroup.objects.values_list("code", flat=True))
    assert options["working_group"] == [1, 2, 3]
    assert set(options["organization"]) == {
        *Organization.objects.values_list("acronym", flat=True),
        "none",
    }
    assert set(options["sort"]) == {"relevance", "code", "title", "newest"}
    assert client.get("/api/initiatives/", {"sort": ""}).status_code == 200  # as a form sends it
    assert client.get("/api/initiatives/", {"sort": "random"}).status_code == 400

    Organization.objects.create(acronym="NEWORG", name="A new organization")
    assert "NEWORG" in filter_options(client)["organization"]
    assert get_json(client, "/api/initiatives/?organization=NEWORG")["count"] == 0


def test_newest_first_lists_the_latest_published_first(client, catalogue):
    added = make_initiative(sub_working_group="1.1")
    codes = [i["code"] for i in get_json(client, "/api/initiatives/?sort=newest")["results"]]
    founding = sorted(catalogue.exclude(pk=added.pk).values_list("code", flat=True))
    assert codes[0] == added.code
    assert codes[1:] == founding[: len(codes) - 1]
