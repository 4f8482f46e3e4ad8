"""The Atom feeds (initiatives/feeds.py): the list page's initiatives, latest change first."""

import re
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from django.utils import translation

from initiatives.feeds import FEED_LIMIT
from initiatives.models import Initiative, WorkingGroup
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def feed_of(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def entry_codes(feed: ET.Element) -> list[str]:
    return [entry.findtext(f"{ATOM}title").split(" ")[0] for entry in feed.iter(f"{ATOM}entry")]


def entry(feed: ET.Element, code: str) -> ET.Element:
    return next(e for e in feed.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title").startswith(code))


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def list_page_codes(client, query: str) -> list[str]:
    """Every initiative the list page lists for ``query`` (all its pages)."""
    codes, page = [], 1
    while True:
        response = client.get(f"/?{query}&page={page}" if query else f"/?page={page}")
        assert response.status_code == 200
        html = response.content.decode()
        codes += re.findall(r'<li class="initiative" id="i-([0-9A-Z]+)"', html)
        if 'rel="next"' not in html:
            return codes
        page += 1


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=naloxone",
        "q=naloxone&group=3.2",
        "group=1.1&group=3.2&organization=INCB&organization=UNODC",
        "working_group=2&sort=title",
        "organization=none",
        "q=early+warning&sort=code",
        "q=zzzyxq",
    ],
)
def test_a_feed_lists_what_the_list_page_lists_latest_change_first(client, catalogue, query):
    Initiative.objects.get(code="3210").save()  # a re-save moves nothing
    edited = Initiative.objects.get(code="3212")
    edited.description += "\nA line added for the test."
    edited.save()
    listed = list_page_codes(client, query)
    changed = dict(Initiative.objects.values_list("code", "changed_at"))
    expected = sorted(listed, key=lambda code: (-changed[code].timestamp(), code))[:FEED_LIMIT]

    feed = feed_of(client, f"/feed/?{query}")
    assert entry_codes(feed) == expected
    updated = [when(e.findtext(f"{ATOM}updated")) for e in feed.iter(f"{ATOM}entry")]
    assert updated == sorted(updated, reverse=True)
    if "3212" in expected:
        assert expected[0] == "3212"


def test_the_whole_catalogue_is_capped_and_says_so_in_its_links(client, catalogue):
    feed = feed_of(client, "/feed/")
    assert len(entry_codes(feed)) == FEED_LIMIT == 50
    assert feed.findtext(f"{ATOM}title") == "Initiatives Catalogue"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"alternate": "http://testserver/", "self": "http://testserver/feed/"}
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == (
        "Global Coalition to Address Synthetic Drug Threats"
    )


def test_the_title_says_what_the_feed_follows_and_links_its_list(client, catalogue):
    feed = feed_of(client, "/feed/?q=naloxone&group=3.2&organization=UNODC&page=2&sort=bogus")
    group = catalogue.filter(sub_working_group__code="3.2").first().sub_working_group
    assert feed.findtext(f"{ATOM}title") == (
        f"Initiatives Catalogue – “naloxone”, 3.2 {group.name}, UNODC"
    )
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    # The list page of the same parameters (not its page number); the feed as asked for.
    assert links["alternate"] == (
        "http://testserver/?q=naloxone&group=3.2&organization=UNODC&sort=bogus"
    )
    assert links["self"] == (
        "http://testserver/feed/?q=naloxone&group=3.2&organization=UNODC&page=2&sort=bogus"
    )


def test_the_french_feed_names_its_filters_in_french(client, catalogue):
    feed = feed_of(
        client, "/fr/feed/?q=naloxone&working_group=3&organization=UNODC&organization=none"
    )
    assert feed.get(XML_LANG) == "fr"
    with translation.override("fr"):
        group = WorkingGroup.objects.get(number=3).local_name
    assert group != WorkingGroup.objects.get(number=3).name
    assert feed.findtext(f"{ATOM}title") == (
        f"Catalogue des initiatives – «\u00a0naloxone\u00a0», 3. {group}, ONUDD, Non attribuée"
    )
    assert "http://testserver/fr/initiatives/" in entry(feed, "3210").find(f"{ATOM}link").get(
        "href"
    )


def test_invalid_parameters_are_ignored_as_on_the_list(client, catalogue):
    feed = feed_of(client, "/feed/?group=9.9&working_group=x&organization=NOPE&status=lost")
    assert feed.findtext(f"{ATOM}title") == "Initiatives Catalogue"
    assert len(entry_codes(feed)) == FEED_LIMIT


def test_an_entry_carries_its_dates_link_id_summary_and_facts(client, catalogue):
    initiative = make_initiative(
        sub_working_group="3.2",
        lead_organization="UNODC",
        title='Kits "free" <script>alert(1)</script> & more',
        description="Naloxone <b>kits</b> & training.\nA second line.",
    )
    initiative = Initiative.objects.get(pk=initiative.pk)
    response = client.get("/feed/?group=3.2")
    body = response.content.decode()
    assert "<script>" not in body and "<b>kits" not in body
    item = entry(ET.fromstring(response.content), initiative.code)

    title = item.find(f"{ATOM}title")
    assert title.text == f'{initiative.code} Kits "free" <script>alert(1)</script> & more'
    assert (title.get("type"), title.get(XML_LANG)) == ("text", "en")
    summary = item.find(f"{ATOM}summary")
    # Plain text: a reader shows it as written, never as markup.
    assert summary.get("type") == "text"
    assert summary.text.startswith("Naloxone <b>kits</b> & training.")
    url = f"http://testserver/initiatives/{initiative.code}/"
    assert item.find(f"{ATOM}link").get("href") == url
    assert item.findtext(f"{ATOM}id") == url
    assert when(item.findtext(f"{ATOM}published")) == initiative.published_at
    assert when(item.findtext(f"{ATOM}updated")) == initiative.changed_at
    categories = {
        c.get("scheme") + c.get("term"): c.get("label") for c in item.findall(f"{ATOM}category")
    }
    assert categories == {
        f"http://testserver/?q={initiative.code}": f"Initiative {initiative.code}",
        "http://testserver/?group=3.2": f"3.2 {initiative.sub_working_group.name}",
        "http://testserver/?organization=UNODC": "United Nations Office on Drugs and Crime (UNODC)",
    }


def test_an_unattributed_initiative_names_no_organization(client, catalogue):
    unattributed = catalogue.filter(lead_organization=None).first()
    feed = feed_of(client, f"/feed/?q={unattributed.code}+{unattributed.title.split()[0]}")
    schemes = {c.get("scheme") for c in entry(feed, unattributed.code).findall(f"{ATOM}category")}
    assert schemes == {"http://testserver/?q=", "http://testserver/?group="}


def test_the_founding_list_is_published_when_it_was_loaded(client, catalogue):
    founding = catalogue.get(code="1101")
    item = entry(feed_of(client, "/feed/?group=1.1"), "1101")
    assert founding.published_at is None
    assert when(item.findtext(f"{ATOM}published")) == founding.added_at
    assert when(item.findtext(f"{ATOM}updated")) == founding.changed_at
    assert founding.added_at <= founding.changed_at


def test_editing_a_title_moves_the_entry_up_and_a_resave_does_not(client, catalogue):
    before = feed_of(client, "/feed/?group=1.1")
    codes = entry_codes(before)
    last = codes[-1]
    resaved = Initiative.objects.get(code=last)
    resaved.languages = "English"
    resaved.save()
    assert entry_codes(feed_of(client, "/feed/?group=1.1")) == codes

    retitled = Initiative.objects.get(code=last)
    retitled.title = "A title edited by staff"
    retitled.save()
    after = feed_of(client, "/feed/?group=1.1")
    assert entry_codes(after) == [last, *codes[:-1]]
    newest = entry(after, last)
    assert newest.findtext(f"{ATOM}title") == f"{last} A title edited by staff"
    updated = when(newest.findtext(f"{ATOM}updated"))
    assert updated == Initiative.objects.get(code=last).changed_at
    assert updated > when(entry(before, last).findtext(f"{ATOM}updated"))
    # The feed's own updated is its newest entry's.
    assert when(after.findtext(f"{ATOM}updated")) == updated


def test_drafts_are_never_in_a_feed(client, catalogue):
    draft = make_initiative(is_published=False, title="A draft not yet published")
    assert draft.code not in entry_codes(feed_of(client, f"/feed/?group=3.2&q={draft.code}"))
    assert "A draft not yet published" not in client.get("/feed/").content.decode()


def test_a_reviewed_translation_is_the_entry_in_its_language(client, catalogue):
    initiative = Initiative.objects.get(code="3210")
    initiative.set_current_language("fr")
    initiative.translated_title = "Initiative S-O-S de l’ONUDD et de l’OMS"
    initiative.translated_description = "Prévenir les décès par surdose d’opioïdes."
    initiative.reviewed = True
    initiative.save()
    french = entry(feed_of(client, "/fr/feed/?group=3.2"), "3210")
    title, summary = french.find(f"{ATOM}title"), french.find(f"{ATOM}summary")
    assert title.text == "3210 Initiative S-O-S de l’ONUDD et de l’OMS"
    assert summary.text == "Prévenir les décès par surdose d’opioïdes."
    assert title.get(XML_LANG) == summary.get(XML_LANG) == "fr"
    spanish = entry(feed_of(client, "/es/feed/?group=3.2"), "3210")
    assert spanish.find(f"{ATOM}title").get(XML_LANG) == "en"
    assert spanish.findtext(f"{ATOM}title").startswith("3210 UNODC/WHO S-O-S")


def test_list_pages_link_their_feed(client, catalogue):
    html = client.get("/?q=naloxone&group=3.2&page=1").content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" '
        'title="Initiatives Catalogue – “naloxone”, 3.2 '
    ) in html
    assert 'href="/feed/?q=naloxone&amp;group=3.2"' in html
    assert (
        '<a href="/feed/?q=naloxone&amp;group=3.2" type="application/atom+xml">'
        "Follow these results (Atom feed)</a>"
    ) in html
    browsing = client.get("/fr/").content.decode()
    assert '<a href="/fr/feed/" type="application/atom+xml">' in browsing
    # A search with no results yet can be followed too.
    assert 'href="/feed/?q=zzzyxq"' in client.get("/?q=zzzyxq").content.decode()


def test_a_feed_reads_a_constant_number_of_queries(
    client, catalogue, django_assert_max_num_queries
):
    client.get("/feed/?q=naloxone")  # warm the derived data
    with django_assert_max_num_queries(8):
        assert client.get("/feed/?q=naloxone").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/fr/feed/").status_code == 200
