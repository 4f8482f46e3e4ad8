"""The API keeps the contract it publishes: schemathesis generates requests from the schema the
app serves at /api/schema/ (valid and invalid ones, every operation) and checks each response
against it (status codes, content types, bodies, headers, server errors, valid data accepted,
invalid data rejected), on the real catalogue."""

from datetime import date

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.errors import FailureGroup

from initiatives.api.serializers import InitiativeSerializer
from initiatives.models import Initiative

# Bounded and reproducible, so it can gate `make test`: the same requests on every run, and no
# example database written to disk. The coverage phase adds its boundary cases on top.
CONFIG = schemathesis.Config.from_dict(
    {"generation": {"max-examples": 100, "deterministic": True, "database": "none"}}
)
# The WSGI transport does not decode gzip, which the app applies when a client accepts it.
HEADERS = {"Accept-Encoding": "identity"}


@pytest.fixture
def richer_catalogue(catalogue):
    """The seed carries none of the optional facts, which staff add later: two initiatives get
    them here (inside the test's transaction), so that they are checked against the schema too
    and the status and region filters have something to find."""
    Initiative.objects.filter(code="1101").update(
        status="active",
        delivery_mode="hybrid",
        languages="English, Spanish",
        regions=["americas", "africa"],
        eligible_countries=["CO", "KE"],
        participating_countries=["MX"],
        last_reviewed=date(2026, 10, 1),
    )
    Initiative.objects.filter(code="3212").update(status="proposed", regions=["global"])
    return catalogue


@pytest.fixture
def api_schema(richer_catalogue):
    """The schema as served (its filter options come from the catalogue), with requests made
    in-process through the WSGI app.

    The calls share the test's database connection and transaction, so they see the loaded
    catalogue (a live server would need a transactional test, which empties the database).
    Like Django's test client, the app must not close that connection after each request.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# schemathesis 4.32's lazy loader relabels the running test through `Node._nodeid`, which
# pytest 9 no longer has; reading the public node id (and keeping it) is all it needs.
if not hasattr(pytest.Function, "_nodeid"):
    pytest.Function._nodeid = property(lambda node: node.nodeid, lambda node, value: None)

schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_the_api_honours_its_schema(case):
    case.call_and_validate(headers=HEADERS)


def test_a_response_that_breaks_the_schema_is_caught(api_schema, monkeypatch):
    serialize = InitiativeSerializer.to_representation

    def without_title(serializer, initiative):
        return {k: v for k, v in serialize(serializer, initiative).items() if k != "title"}

    monkeypatch.setattr(InitiativeSerializer, "to_representation", without_title)
    case = api_schema["/api/initiatives/{code}/"]["GET"].Case(path_parameters={"code": "1101"})
    with pytest.raises(FailureGroup, match="Response violates schema"):
        case.call_and_validate(headers=HEADERS)
