"""Link previews on detail pages (initiatives/link_preview.py): Open Graph, Twitter card and
schema.org JSON-LD, escaped."""

import json
import re
from html import unescape

import pytest

from initiatives.models import Initiative
from initiatives.templatetags.json_ld import json_ld
from tests.factories import make_initiative, make_organization

pytestmark = pytest.mark.django_db

HOSTILE_TITLE = 'Kits "free" </script><script>alert(1)</script> & <!-- more'


def meta(html: str) -> dict[str, str]:
    """The page's meta tags, by property or name, with their content unescaped."""
    tags = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', html)
    found = {}
    for key, value in tags:
        found.setdefault(key, unescape(value))
    return found


def structured_data(html: str) -> dict:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 1
    return json.loads(scripts[0])


def test_the_tags_describe_the_initiative(client, catalogue):
    html = client.get("/initiatives/3212/").content.decode()
    initiative = Initiative.objects.get(code="3212")
    tags = meta(html)
    title = f"3212: {initiative.title}"
    assert tags["og:type"] == "article"
    assert tags["og:title"] == tags["twitter:title"] == title
    assert tags["og:description"] == tags["twitter:description"] == initiative.excerpt()
    assert tags["og:url"] == "http://testserver/initiatives/3212/"
    assert tags["og:site_name"] == "Initiatives Catalogue"
    assert tags["og:locale"] == "en_GB"
    assert tags["twitter:card"] == "summary"
    alternates = re.findall(r'<meta property="og:locale:alternate" content="([^"]+)">', html)
    assert alternates == ["fr_FR", "es_ES", "ru_RU", "ar_AR", "zh_CN"]


def test_the_json_ld_describes_the_initiative(client, catalogue):
    initiative = Initiative.objects.get(code="3212")
    data = structured_data(client.get("/initiatives/3212/").content.decode())
    assert data == {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "@id": "http://testserver/initiatives/3212/",
        "url": "http://testserver/initiatives/3212/",
        "identifier": "3212",
        "name": initiative.title,
        "description": initiative.excerpt(),
        "inLanguage": "en",
        "dateCreated": data["dateCreated"],
        "dateModified": data["dateModified"],
        "isPartOf": {
            "@type": "WebSite",
            "name": "Initiatives Catalogue",
            "url": "http://testserver/",
        },
        "provider": {
            "@type": "Organization",
            "name": "United Nations Office on Drugs and Crime (UNODC)",
            "alternateName": "UNODC",
        },
    }
    assert data["dateCreated"][:10] == initiative.added_at.date().isoformat()
    assert data["dateModified"][:10] == initiative.changed_at.date().isoformat()


def test_hostile_text_stays_escaped_in_tags_and_json_ld(client, catalogue):
    lead = make_organization(name='The "A" <b>&</b> Org', website="https://a.example/")
    initiative = make_initiative(
        lead_organization=lead, title=HOSTILE_TITLE, description="Line </script> & <em>x</em>"
    )
    html = client.get(f"/initiatives/{initiative.code}/").content.decode()
    assert "<script>alert(1)" not in html
    assert "</script><script>" not in html
    assert '"free"' not in html.split("</head>")[0].split("og:title")[1].split(">")[0]
    tags = meta(html)
    assert tags["og:title"] == f"{initiative.code}: {HOSTILE_TITLE}"
    assert tags["twitter:description"] == "Line </script> & <em>x</em>"

    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    body = script.group(1)
    assert "<" not in body and ">" not in body and "&" not in body
    assert "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)" in body
    data = json.loads(body)
    assert data["name"] == HOSTILE_TITLE
    assert data["description"] == "Line </script> & <em>x</em>"
    assert data["provider"] == {
        "@type": "Organization",
        "name": 'The "A" <b>&</b> Org',
        "alternateName": lead.acronym,
        "url": "https://a.example/",
    }


def test_an_unattributed_initiative_names_no_provider(client, catalogue):
    unattributed = catalogue.filter(lead_organization=None).first()
    data = structured_data(client.get(f"/initiatives/{unattributed.code}/").content.decode())
    assert "provider" not in data
    assert data["identifier"] == unattributed.code


def test_a_page_in_another_language_says_so_and_uses_a_reviewed_translation(client, catalogue):
    initiative = Initiative.objects.get(code="3210")
    initiative.set_current_language("fr")
    initiative.translated_title = "Initiative S-O-S de l’ONUDD et de l’OMS"
    initiative.translated_description = "Prévenir les décès par surdose d’opioïdes."
    initiative.reviewed = True
    initiative.save()
    html = client.get("/fr/initiatives/3210/").content.decode()
    tags = meta(html)
    assert tags["og:locale"] == "fr_FR"
    assert tags["og:site_name"] == "Catalogue des initiatives"
    assert tags["og:title"] == "3210: Initiative S-O-S de l’ONUDD et de l’OMS"
    assert tags["og:description"] == "Prévenir les décès par surdose d’opioïdes."
    assert tags["og:url"] == "http://testserver/fr/initiatives/3210/"
    data = structured_data(html)
    assert data["inLanguage"] == "fr"
    assert data["name"] == "Initiative S-O-S de l’ONUDD et de l’OMS"
    assert data["isPartOf"]["url"] == "http://testserver/fr/"
    assert data["provider"]["name"] == "Office des Nations Unies contre la drogue et le crime"

    chinese = meta(client.get("/zh-hans/initiatives/3210/").content.decode())
    assert chinese["og:locale"] == "zh_CN"
    assert chinese["og:title"].startswith("3210: UNODC/WHO S-O-S")  # no translation: English


def test_the_filter_escapes_as_json_script_does():
    assert str(json_ld({"a": "<&>"})) == '{"a": "\\u003C\\u0026\\u003E"}'
    assert json.loads(str(json_ld({"a": "</script>"}))) == {"a": "</script>"}
