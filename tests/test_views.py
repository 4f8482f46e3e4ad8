"""The public pages: the browse list, the detail page, the CSV download."""

import csv
import io
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.models import Contact, Initiative, Organization
from initiatives.seeding.loader import load_seed_file
from tests.factories import make_initiative, make_organization

pytestmark = pytest.mark.django_db


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def listed_codes(html: str) -> list[str]:
    return re.findall(r'<li class="initiative" id="i-([0-9A-Z]+)"', html)


def test_the_list_shows_every_published_initiative_grouped(client, catalogue):
    html = html_of(client, "/")

    codes = listed_codes(html)
    assert len(codes) == 118
    assert "118 initiatives" in html
    headings = re.findall(r'<h3 id="swg-[^"]+"><span dir="ltr">([0-9.]+)</span> ', html)
    assert headings == ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "3.3"]
    assert codes == sorted(codes, key=lambda code: (code[:2], code))
    assert "2206A" in codes and "2206" in codes
    assert "Working Group 1: Preventing the illicit manufacture" in html


def test_each_entry_has_title_lead_and_a_short_excerpt(client, catalogue):
    html = html_of(client, "/")
    entry = html.split('id="i-1101"')[1].split("</li>")[0]
    assert 'title="International Narcotics Control Board">INCB</abbr>' in entry
    excerpt = re.search(r'<p class="excerpt" lang="en" dir="ltr">(.*?)</p>', entry, re.S).group(1)
    description = Initiative.objects.get(code="1101").description
    assert excerpt.strip().rstrip("…") in description
    assert len(excerpt.strip()) <= 230
    entry_2105 = html.split('id="i-2105"')[1].split("</li>")[0]
    assert "Not attributed in the source" in entry_2105


def test_search_results_show_their_group_and_lead_from_the_filter_options(client, catalogue):
    html = html_of(client, "/?q=naloxone")
    entry = html.split('id="i-3210"')[1].split("</li>")[0]
    initiative = Initiative.objects.select_related("sub_working_group", "lead_organization").get(
        code="3210"
    )
    lead, group = initiative.lead_organization, initiative.sub_working_group
    assert f'<abbr title="{lead.name}">{lead.acronym}</abbr>' in entry
    assert f'<span class="group"><span dir="ltr">{group.code}</span> {group.name}</span>' in entry
    unattributed = Initiative.objects.filter(lead_organization=None, title__icontains="drug")
    code = unattributed.values_list("code", flat=True).first()
    entry = html_of(client, f"/?q={code}+drug").split(f'id="i-{code}"')[1].split("</li>")[0]
    assert "Not attributed in the source" in entry


def test_an_organization_added_since_the_options_were_read_shows_and_is_counted(client, catalogue):
    html_of(client, "/")  # the filter options are read and kept
    newcomer = make_organization(acronym="NEWORG", name="A New Organization")
    initiative = make_initiative(lead_organization=newcomer, title="Overdose response training")
    html = html_of(client, "/?q=overdose")
    entry = html.split(f'id="i-{initiative.code}"')[1].split("</li>")[0]
    assert '<abbr title="A New Organization">NEWORG</abbr>' in entry
    assert 'data-facet="org-neworg">(1)</span>' in html


def test_facet_checkboxes_escape_names_and_show_what_is_selected(client, catalogue):
    odd = make_organization(acronym="A&B", name='The "A" <and> B')
    make_initiative(lead_organization=odd, description="Naloxone kits for first responders.")
    html = html_of(client, "/?organization=A%26B&q=naloxone")
    assert 'name="organization" value="A&amp;B" id="org-ab" checked>' in html
    assert 'value="UNODC" id="org-unodc">' in html
    label = html.split('<label for="org-ab">')[1].split("</label>")[0]
    assert label == (
        '<abbr title="The &quot;A&quot; &lt;and&gt; B">A&amp;B</abbr> '
        '<span class="facet-count" data-facet="org-ab">(1)</span>'
    )


def test_unpublished_initiatives_are_invisible(client, catalogue):
    Initiative.objects.filter(code="1101").update(is_published=False)

    html = html_of(client, "/")
    assert "1101" not in listed_codes(html)
    assert "117 initiatives" in html
    assert client.get("/initiatives/1101/").status_code == 404
    assert "1101" not in listed_codes(html_of(client, "/?q=diversion+chemicals+industry"))
    assert client.get("/api/initiatives/1101/").status_code == 404
    assert "1101" not in client.get("/export.csv").content.decode()


def test_filters_combine_or_within_and_and_across_facets(client, catalogue):
    codes = listed_codes(html_of(client, "/?group=1.1&group=3.3"))
    assert len(codes) == 16 + 9
    assert {code[:2] for code in codes} == {"11", "33"}

    codes = listed_codes(html_of(client, "/?group=1.1&group=3.3&organization=INCB"))
    expected = set(
        Initiative.objects.filter(
            sub_working_group__code__in=["1.1", "3.3"], lead_organization__acronym="INCB"
        ).values_list("code", flat=True)
    )
    assert expected and set(codes) == expected

    codes = listed_codes(html_of(client, "/?working_group=2&organization=none"))
    expected = set(
        Initiative.objects.filter(
            sub_working_group__working_group__number=2, lead_organization=None
        ).values_list("code", flat=True)
    )
    assert set(codes) == expected


def test_partners_count_as_implementing_organizations(client, catalogue):
    initiative = Initiative.objects.get(code="2105")
    initiative.partner_organizations.add(Organization.objects.get(acronym="PAHO"))
    codes = listed_codes(html_of(client, "/?organization=PAHO"))
    assert "2105" in codes


def test_facet_counts_apply_the_other_filters(client, catalogue):
    response = client.get("/?group=1.1&organization=UNODC")
    facets = {
        facet: {option.value: option.count for option in options}
        for facet, options in response.context["listing"].facets.items()
    }
    published = Initiative.objects.published()
    unodc = published.filter(lead_organization__acronym="UNODC") | published.filter(
        partner_organizations__acronym="UNODC"
    )
    # Sub-working group counts: UNODC's initiatives per group, whatever group is ticked.
    assert facets["group"]["3.2"] == unodc.distinct().filter(sub_working_group__code="3.2").count()
    # Organization counts: within 1.1, whatever organization is ticked.
    in_11 = published.filter(sub_working_group__code="1.1")
    assert facets["organization"]["INCB"] == in_11.filter(lead_organization__acronym="INCB").count()
    assert facets["organization"]["none"] == in_11.filter(lead_organization=None).count()
    html = response.content.decode()
    assert f'data-facet="group-32">({facets["group"]["3.2"]})' in html


def test_selected_filters_are_removable_tags(client, catalogue):
    html = html_of(client, "/?q=precursor&group=1.1&group=1.2&organization=INCB")
    tags = {
        label.strip(): href.replace("&amp;", "&")
        for href, label in re.findall(
            r'<a class="tag" href="([^"]+)"><span class="visually-hidden">Remove filter </span>'
            r"([^<]+)<",
            html,
        )
    }
    assert set(tags) == {
        "Search: precursor",
        "1.1 Manufacturing of Synthetic Drugs and their Precursors",
        "1.2 Trafficking of Synthetic Drugs",
        "INCB",
    }
    assert tags["1.2 Trafficking of Synthetic Drugs"] == "?q=precursor&group=1.1&organization=INCB"
    assert tags["Search: precursor"] == "?group=1.1&group=1.2&organization=INCB"
    assert "Clear all filters" in html


def test_sorting_by_title_and_code(client, catalogue):
    codes = listed_codes(html_of(client, "/?sort=title"))
    titles = dict(Initiative.objects.values_list("code", "title"))
    assert [titles[code] for code in codes] == sorted(titles[code] for code in codes)
    html = html_of(client, "/?q=precursor&sort=code")
    codes = listed_codes(html)
    assert codes == sorted(codes, key=lambda code: (code[:2], code))


def test_bad_filter_values_are_named_and_ignored(client, catalogue):
    html = html_of(client, "/?group=9.9&organization=NOPE&sort=sideways")
    assert len(listed_codes(html)) == 118
    assert "were not understood and were ignored" in html
    assert "Sub-working group “9.9”" in html
    assert "Implementing organization “NOPE”" in html
    assert "Sort by “sideways”" in html


def test_a_code_goes_straight_to_its_initiative(client, catalogue):
    response = client.get("/?q=2206a")
    assert response.status_code == 302
    assert response["Location"] == "/initiatives/2206A/"
    assert client.get("/?q=+2114+")["Location"] == "/initiatives/2114/"
    # A code that does not exist is searched for instead.
    assert client.get("/?q=2999").status_code == 200


def test_pages_are_compressed_and_the_full_list_is_light(client, catalogue):
    response = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) < 60 * 1024


PAGES = [
    "/",
    "/?q=precursor+disposal",
    "/?q=how+can+our+forensic+lab+identify+new+substances",
    "/?group=1.1&group=3.2&organization=INCB&organization=UNODC",
    "/initiatives/2105/",
    "/api/initiatives/?q=stimulant+treatment",
    "/api/initiatives/?group=3.2",
    "/api/initiatives/2105/",
    "/export.csv?q=early+warning",
]


def count_queries(client, url: str) -> int:
    client.get(url)  # warm the process-level vocabulary cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


def test_each_page_runs_the_same_number_of_queries_whatever_the_catalogue_size(
    client, empty_catalogue, sample_seed
):
    path, _ = sample_seed
    load_seed_file(path)  # 4 initiatives
    small = {url: count_queries(client, url) for url in PAGES}
    load_seed_file(settings.SEED_FILE)  # 118 initiatives
    large = {url: count_queries(client, url) for url in PAGES}
    assert small == large
    assert max(large.values()) <= 16


def test_the_detail_page(client, catalogue):
    initiative = Initiative.objects.get(code="3212")
    html = html_of(client, initiative.get_absolute_url())

    assert '<h1 id="initiative-title" lang="en" dir="ltr">' + initiative.title + "</h1>" in html
    assert "United Nations Office on Drugs and Crime (UNODC)" in html
    breadcrumb = html.split('class="breadcrumb"')[1].split("</nav>")[0]
    assert "Working Group 3: Promoting public health" in breadcrumb
    assert "?group=3.2" in breadcrumb
    for block in initiative.description_blocks():
        if block.kind == "list":
            for item in block.items:
                assert f"<li>{item}</li>" in html
        else:
            assert f"<p>{block.text}</p>" in html
    assert "/register/?initiative=3212" in html
    assert "not a guarantee of participation" in html


def test_a_description_with_bullets_renders_a_real_list(client, catalogue):
    with_bullets = [
        initiative
        for initiative in Initiative.objects.all()
        if any(block.kind == "list" for block in initiative.description_blocks())
    ]
    assert with_bullets
    article = html_of(client, with_bullets[0].get_absolute_url()).split("<article")[1]
    assert "<ul><li>" in article


def test_the_point_of_contact_is_shown_without_a_scrapeable_address(client, catalogue):
    unodc = Organization.objects.get(acronym="UNODC")
    contact = Contact.objects.create(
        name="Ana Example", job_title="Programme Officer", organization=unodc, email="ana@un.org"
    )
    Initiative.objects.filter(code="3212").update(point_of_contact=contact)
    html = html_of(client, "/initiatives/3212/")
    assert "Ana Example, Programme Officer – United Nations Office on Drugs and Crime" in html
    assert "ana@un.org" not in html and "mailto:" not in html

    assert "names no point of contact" in html_of(client, "/initiatives/3211/")


def test_related_and_neighbouring_initiatives(client, catalogue):
    response = client.get("/initiatives/2203/")
    related = list(response.context["related"])
    assert related and len(related) <= 3
    assert all(other.sub_working_group.code == "2.2" and other.code != "2203" for other in related)
    # The GRIDS family shares words ("targeting", "trafficking", "NPS"): one of them is closest.
    assert related[0].code in {"2200", "2204", "2205"}
    assert response.context["previous_initiative"].code == "2202"
    assert response.context["next_initiative"].code == "2204"
    first = client.get("/initiatives/1101/")
    assert first.context["previous_initiative"] is None


def test_codes_are_case_insensitive_and_unknown_codes_are_404(client, catalogue):
    assert "International Network for Legislation on Drugs" in html_of(
        client, "/initiatives/2206a/"
    )
    assert client.get("/initiatives/2206/").status_code == 200
    missing = client.get("/initiatives/9999/")
    assert missing.status_code == 404
    assert (
        'codes look like <span dir="ltr">1101</span> or <span dir="ltr">2206A</span>'
        in missing.content.decode()
    )


def test_text_from_the_database_is_escaped(client, catalogue):
    initiative = make_initiative(title="<script>alert(1)</script> precursor")
    for url in ("/", "/?q=precursor", initiative.get_absolute_url()):
        html = html_of(client, url)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_stylesheet_and_script_are_served(client, catalogue):
    html = html_of(client, "/")
    for pattern in (r'<link rel="stylesheet" href="([^"]+)"', r'<script src="([^"]+)"'):
        href = re.search(pattern, html).group(1)
        response = client.get(href)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).strip()


def test_csv_download_of_the_filtered_list(client, catalogue):
    response = client.get("/export.csv?group=1.1&organization=INCB")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    expected = Initiative.objects.filter(
        sub_working_group__code="1.1", lead_organization__acronym="INCB"
    )
    assert [row["code"] for row in rows] == sorted(expected.values_list("code", flat=True))
    first = expected.order_by("code").first()
    assert rows[0]["description"] == first.description
    assert rows[0]["url"] == f"http://testserver/initiatives/{first.code}/"


def test_csv_cells_cannot_become_formulas(client, catalogue):
    initiative = make_initiative(title='=HYPERLINK("http://evil")')
    rows = list(csv.DictReader(io.StringIO(client.get("/export.csv").content.decode("utf-8-sig"))))
    title = next(row["title"] for row in rows if row["code"] == initiative.code)
    assert title.startswith("'=")


def test_a_new_search_typed_above_the_browsed_list_is_ranked_by_relevance(client, catalogue):
    browsed = client.get("/").content.decode()
    # The list's sort menu submits an empty value: "the default for what you ask".
    assert '<option value="" selected>Code</option>' in browsed
    searched = client.get("/", {"q": "naloxone", "sort": ""})
    assert searched.context["listing"].sort == "relevance"
    assert listed_codes(searched.content.decode())[0] == "3210"
    assert '<option value="" selected>Relevance</option>' in searched.content.decode()


def test_organization_names_carry_their_acronym_once(client, catalogue):
    html = html_of(client, "/initiatives/3212/")
    assert "United Nations Office on Drugs and Crime (UNODC)" in html
    assert "(UNODC) (UNODC)" not in html


def test_the_browsed_cards_are_rendered_anew_after_an_edit_and_per_shortlist(client, catalogue):
    assert "Zymurgy for xylophonists" not in html_of(client, "/")  # the cards are now kept
    edited = Initiative.objects.get(code="1101")
    edited.title = "Zymurgy for xylophonists"
    edited.save()
    html = html_of(client, "/")
    assert "Zymurgy for xylophonists" in html
    client.post("/shortlist/", {"add": "1101"})
    entry = html_of(client, "/").split('id="i-1101"')[1].split("</li>")[0]
    assert "On your shortlist" in entry
    other = html_of(client, "/").split('id="i-1104"')[1].split("</li>")[0]
    assert "Add to my shortlist" in other


def test_a_sort_not_understood_keeps_the_relevance_order_and_is_named(client, catalogue):
    ranked = listed_codes(html_of(client, "/?q=early+warning"))
    html = html_of(client, "/?q=early+warning&sort=bogus")
    assert listed_codes(html) == ranked and ranked != sorted(ranked)
    assert "were not understood" in html


def test_the_cached_cards_follow_the_sort_order(client, catalogue):
    by_title = html_of(client, "/?organization=INTERPOL&sort=title")
    by_code = html_of(client, "/?organization=INTERPOL")
    assert listed_codes(by_title) == listed_codes(by_code)  # the same initiatives…
    assert 'class="working-group"' in by_code  # …grouped in the catalogue's order
    assert 'class="working-group"' not in by_title


def test_the_csv_of_a_capped_search_holds_what_the_page_lists(client, catalogue, monkeypatch):
    from initiatives import listing, querysets, views

    for module in (querysets, listing, views):
        monkeypatch.setattr(module, "SEARCH_LIMIT", 5)
    html = html_of(client, "/?q=training")
    assert "Download the first 5 initiatives as CSV" in html
    rows = client.get("/export.csv?q=training").content.decode("utf-8-sig").strip().splitlines()
    assert len(rows) == 1 + 5
