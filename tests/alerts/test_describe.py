"""A followed search in words, in the active language."""

import pytest
from django.utils import translation

from initiatives.alerts.describe import describe_search, search_url

pytestmark = pytest.mark.django_db


def test_each_parameter_is_named_with_the_lists_labels(catalogue):
    description = describe_search("group=3.2&organization=UNODC&organization=none&q=naloxone")
    assert [part.name for part in description.parts] == ["q", "group", "organization"]
    text = str(description)
    assert text.startswith("Search: naloxone · Sub-working group: 3.2 ")
    assert text.endswith(" · Implementing organization: UNODC, Not attributed")


def test_no_filter_is_every_initiative(catalogue):
    description = describe_search("")
    assert description.everything
    assert str(description) == "Every initiative in the catalogue"


def test_working_groups_status_and_regions_are_named(catalogue):
    text = str(describe_search("working_group=2&status=active&region=africa"))
    assert text.startswith("Working group: 2. ")
    assert "Status: Active" in text
    assert "Region: Africa" in text


def test_a_value_the_catalogue_no_longer_has_is_shown_as_stored(catalogue):
    assert str(describe_search("group=9.9")) == "Sub-working group: 9.9"


def test_the_description_follows_the_active_language(catalogue):
    with translation.override("fr"):
        text = str(describe_search("organization=UNODC"))
        assert text == translation.gettext("%(label)s: %(values)s") % {
            "label": translation.gettext("Implementing organization"),
            "values": "ONUDD",
        }
    with translation.override("ru"):
        assert "УНП ООН" in str(describe_search("organization=UNODC"))


def test_the_list_url_is_in_the_active_language(catalogue):
    assert search_url("q=naloxone") == "/?q=naloxone"
    assert search_url("") == "/"
    with translation.override("ar"):
        assert search_url("group=1.1") == "/ar/?group=1.1"
