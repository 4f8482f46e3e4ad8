"""Result cards link to initiatives with one reverse() per page: still the same addresses."""

import pytest
from django.template import Context, Template
from django.urls import get_script_prefix, set_script_prefix

from initiatives.models import Initiative

CARDS = Template(
    "{% load initiative_urls %}{% for initiative in initiatives %}"
    "{% detail_url initiative %}|{% endfor %}"
)


def links(initiatives) -> list[str]:
    return CARDS.render(Context({"initiatives": initiatives})).split("|")[:-1]


@pytest.mark.django_db
def test_every_card_links_to_the_initiatives_own_page(catalogue):
    initiatives = list(Initiative.objects.all())
    assert links(initiatives) == [initiative.get_absolute_url() for initiative in initiatives]


def test_a_code_is_quoted_as_reverse_quotes_it():
    initiative = Initiative(code="12 é")
    assert links([initiative]) == [initiative.get_absolute_url()] == ["/initiatives/12%20%C3%A9/"]


def test_the_site_served_under_a_path_prefix():
    initiative = Initiative(code="2206A")
    previous = get_script_prefix()
    set_script_prefix("/catalogue/")
    try:
        assert links([initiative]) == ["/catalogue/initiatives/2206A/"]
    finally:
        set_script_prefix(previous)
    assert links([initiative]) == ["/initiatives/2206A/"]
