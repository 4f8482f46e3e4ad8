"""What a detail page tells link previews and search engines: the Open Graph and Twitter card
values, and a schema.org description of the initiative (JSON-LD).

Built from the record only: a value the catalogue does not hold (a lead organization the source
does not name) is left out, never guessed. The template renders them (``json_ld`` escapes the
JSON for a script element).
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language, gettext

from .description import excerpt
from .models import Initiative

# Open Graph names a locale as language_TERRITORY; these are the forms its consumers know.
OPEN_GRAPH_LOCALES = {
    "en": "en_GB",
    "fr": "fr_FR",
    "es": "es_ES",
    "ru": "ru_RU",
    "ar": "ar_AR",
    "zh-hans": "zh_CN",
}


@dataclass
class LinkPreview:
    title: str
    description: str
    url: str
    site_name: str
    locale: str
    alternate_locales: list[str]
    structured_data: dict


def link_preview(initiative: Initiative, request, translation=None) -> LinkPreview:
    """``translation``: the reviewed translation the page shows, if any."""
    title = (translation.translated_title if translation else "") or initiative.title
    description = excerpt(translation.translated_description) if translation else ""
    description = description or initiative.excerpt()
    url = request.build_absolute_uri(initiative.get_absolute_url())
    site_name = gettext("Initiatives Catalogue")
    language = get_language()
    data = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "@id": url,
        "url": url,
        "identifier": initiative.code,
        "name": title,
        "description": description,
        "inLanguage": translation.language_code if translation else "en",
        "dateCreated": initiative.added_at,
        "dateModified": initiative.changed_at,
        "isPartOf": {
            "@type": "WebSite",
            "name": site_name,
            "url": request.build_absolute_uri(reverse("initiatives:list")),
        },
    }
    lead = initiative.lead_organization
    if lead is not None:
        data["provider"] = {
            "@type": "Organization",
            "name": lead.local_name,
            "alternateName": lead.local_acronym,
            **({"url": lead.website} if lead.website else {}),
        }
    return LinkPreview(
        title=f"{initiative.code}: {title}",
        description=description,
        url=url,
        site_name=site_name,
        locale=OPEN_GRAPH_LOCALES.get(language, "en_GB"),
        alternate_locales=[
            OPEN_GRAPH_LOCALES[code]
            for code, _name in settings.LANGUAGES
            if code != language and code in OPEN_GRAPH_LOCALES
        ],
        structured_data=data,
    )
