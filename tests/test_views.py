"""The first public pages: the grouped list and the detail page."""

import re

import pytest
from django.urls import reverse

from initiatives.models import Initiative

pytestmark = pytest.mark.django_db


def test_the_list_shows_every_published_initiative_grouped(client, catalogue):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r'<li class="initiative" id="i-', html)) == 118
    assert "118 initiatives" in html
    headings = re.findall(r'<h3 id="swg-[^"]+">([0-9.]+) ', html)
    assert headings == ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "3.3"]
    assert 'id="i-2206A"' in html and 'id="i-2206"' in html
    # Codes in order inside a group.
    codes = re.findall(r'<li class="initiative" id="i-([0-9A-Z]+)"', html)
    assert codes == sorted(codes, key=lambda code: (code[:2], code))
    assert "Working Group 1: Preventing the illicit manufacture" in html


def test_the_list_shows_leads_and_makes_missing_ones_visible(client, catalogue):
    html = client.get("/").content.decode()
    entry_1101 = html.split('id="i-1101"')[1].split("</li>")[0]
    assert 'title="International Narcotics Control Board">INCB</abbr>' in entry_1101
    entry_2105 = html.split('id="i-2105"')[1].split("</li>")[0]
    assert "Not attributed in the source" in entry_2105
    assert html.count("Not attributed in the source") == 64


def test_unpublished_initiatives_are_hidden(client, catalogue):
    Initiative.objects.filter(code="1101").update(is_published=False)

    html = client.get("/").content.decode()

    assert 'id="i-1101"' not in html
    assert "117 initiatives" in html
    assert client.get("/initiatives/1101/").status_code == 404


def test_the_list_uses_a_constant_number_of_queries(client, catalogue, django_assert_num_queries):
    with django_assert_num_queries(2):
        client.get("/")


def test_the_detail_page_shows_paragraphs_and_real_bullets(client, catalogue):
    initiative = Initiative.objects.get(code="3212")
    blocks = initiative.description_blocks()
    response = client.get(initiative.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{initiative.title}</h1>" in html
    assert "United Nations Office on Drugs and Crime (UNODC)" in html
    assert "3.2 " in html and "Working Group 3" in html
    for block in blocks:
        if block.kind == "list":
            for item in block.items:
                assert f"<li>{item}</li>" in html
        else:
            assert f"<p>{block.text}</p>" in html


def test_a_description_with_bullets_renders_a_list(client, catalogue):
    with_bullets = [
        initiative
        for initiative in Initiative.objects.all()
        if any(block.kind == "list" for block in initiative.description_blocks())
    ]
    assert with_bullets, "the source has bulleted descriptions"
    html = client.get(with_bullets[0].get_absolute_url()).content.decode()
    article = html.split('<article class="initiative-detail">')[1]
    assert "<ul><li>" in article


def test_codes_are_case_insensitive_and_unknown_codes_are_404(client, catalogue):
    response = client.get("/initiatives/2206a/")
    assert response.status_code == 200
    assert "International Network for Legislation on Drugs" in response.content.decode()
    assert client.get("/initiatives/2206/").status_code == 200

    missing = client.get("/initiatives/9999/")
    assert missing.status_code == 404
    assert "codes look like 1101 or 2206A" in missing.content.decode()


def test_the_detail_url_is_reversible():
    assert reverse("initiatives:detail", kwargs={"code": "2206A"}) == "/initiatives/2206A/"


def test_text_from_the_database_is_escaped(client, catalogue):
    Initiative.objects.filter(code="1101").update(title="<script>alert(1)</script>")
    html = client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_stylesheet_is_served(client, catalogue):
    html = client.get("/").content.decode()
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)
    response = client.get(href)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).strip()
