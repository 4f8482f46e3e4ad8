"""Atom feeds of the catalogue: the whole of it, or any filtered list or search.

``/feed/`` takes the list page's parameters (``InitiativeFilter``, as the CSV does) and lists
the same initiatives, latest change first (``changed_at``: published, or its title, description
or status changed), at most ``FEED_LIMIT`` of them. Parameters the list ignores, the feed
ignores too.
"""

import re
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, rfc3339_date
from django.utils.translation import gettext

from .filters import NOT_ATTRIBUTED, NOT_ATTRIBUTED_LABEL, InitiativeFilter
from .models import Initiative, Region, Status
from .querysets import SEARCH_LIMIT

# Entries in one feed: readers poll it, and a change moves an entry to the top.
FEED_LIMIT = 50
# Characters XML 1.0 cannot carry (a search typed with control characters still gets a feed).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _address(name: str, params: QueryDict) -> str:
    """The address of ``name`` with a list's parameters, but its page number."""
    kept = params.copy()
    kept.pop("page", None)
    query = kept.urlencode()
    return reverse(name) + (f"?{query}" if query else "")


def feed_address(params: QueryDict) -> str:
    """The feed of the list page with these parameters."""
    return _address("initiatives:feed", params)


def followed(filterset: InitiativeFilter) -> list[str]:
    """What a filtered list follows, in words: the search, then each valid filter's option."""
    choices = filterset.choices
    chosen = {name: set(filterset.cleaned(name) or []) for name in filterset.filters}
    words = (
        [gettext("“%(query)s”") % {"query": filterset.search_text}] if filterset.searching else []
    )
    words += [f"{g.code} {g.local_name}" for g in choices.groups if g.code in chosen["group"]]
    words += [
        f"{wg.number}. {wg.local_name}"
        for wg in choices.working_groups
        if str(wg.number) in chosen["working_group"]
    ]
    words += [
        org.local_acronym for org in choices.organizations if org.acronym in chosen["organization"]
    ]
    if NOT_ATTRIBUTED in chosen["organization"]:
        words.append(str(NOT_ATTRIBUTED_LABEL))
    words += [str(label) for value, label in Status.choices if value in chosen["status"]]
    words += [str(label) for value, label in Region.choices if value in chosen["region"]]
    return [NOT_XML.sub("", text) for text in words]


def feed_title(filterset: InitiativeFilter) -> str:
    """'Initiatives Catalogue – “naloxone”, 3.2 Treatment' (the catalogue's name alone when
    nothing is filtered)."""
    name = gettext("Initiatives Catalogue")
    words = followed(filterset)
    return f"{name} – {', '.join(words)}" if words else name


class CatalogueAtomFeed(Atom1Feed):
    """Atom with plain-text titles and summaries in their own language (a reader must not take
    an initiative's text for HTML), and categories that name the list each one filters."""

    def latest_post_date(self):
        """The newest entry's ``updated`` (the feed's own ``updated``)."""
        dates = [item["updateddate"] for item in self.items if item["updateddate"]]
        return max(dates) if dates else super().latest_post_date()

    def add_item_elements(self, handler, item):
        title_language = {"xml:lang": item["title_language"]}
        handler.addQuickElement("title", item["title"], {"type": "text", **title_language})
        handler.addQuickElement("link", "", {"href": item["link"], "rel": "alternate"})
        handler.addQuickElement("id", item["unique_id"])
        handler.addQuickElement("published", rfc3339_date(item["pubdate"]))
        handler.addQuickElement("updated", rfc3339_date(item["updateddate"]))
        summary_language = {"xml:lang": item["summary_language"]}
        handler.addQuickElement(
            "summary", item["description"], {"type": "text", **summary_language}
        )
        for parameter, term, label in item["facts"]:
            # scheme + term is the list filtered by it (``?group=3.2``; ``?q=<code>`` opens it).
            scheme = f"{self.feed['list_url']}?{parameter}="
            handler.addQuickElement(
                "category", "", {"term": term, "scheme": scheme, "label": label}
            )


@dataclass
class FeedRequest:
    request: HttpRequest
    filterset: InitiativeFilter


class InitiativesFeed(Feed):
    feed_type = CatalogueAtomFeed

    def get_object(self, request):
        return FeedRequest(request, InitiativeFilter(request.GET))

    def title(self, obj: FeedRequest) -> str:
        return feed_title(obj.filterset)

    def subtitle(self, obj: FeedRequest) -> str:
        return gettext(
            "Technical-assistance initiatives offered by international organizations to the "
            "countries of the Global Coalition to Address Synthetic Drug Threats."
        )

    def author_name(self, obj: FeedRequest) -> str:
        return gettext("Global Coalition to Address Synthetic Drug Threats")

    def link(self, obj: FeedRequest) -> str:
        """The list page this feed follows."""
        return _address("initiatives:list", obj.request.GET)

    def feed_url(self, obj: FeedRequest) -> str:
        return obj.request.get_full_path()

    def feed_extra_kwargs(self, obj: FeedRequest) -> dict:
        return {"list_url": obj.request.build_absolute_uri(reverse("initiatives:list"))}

    def items(self, obj: FeedRequest):
        listed = obj.filterset.qs
        if obj.filterset.searching:  # what a search lists: its best SEARCH_LIMIT matches
            listed = Initiative.objects.filter(pk__in=listed.values("pk")[:SEARCH_LIMIT])
        return listed.recently_changed().for_feed_entries()[:FEED_LIMIT]

    # Title and summary as the result cards show them: the reviewed translation into the
    # feed's language where it has one, else the English record.
    def item_title(self, item: Initiative) -> str:
        return f"{item.code} {_translated_title(item) or item.title}"

    def item_description(self, item: Initiative) -> str:
        return item.translated_excerpt or item.excerpt()

    def item_pubdate(self, item: Initiative):
        return item.added_at

    def item_updateddate(self, item: Initiative):
        return item.changed_at

    def item_extra_kwargs(self, item: Initiative) -> dict:
        translated = item.shown_translation.language_code if item.shown_translation else "en"
        group, lead = item.sub_working_group, item.lead_organization
        facts = [
            ("q", item.code, gettext("Initiative %(code)s") % {"code": item.code}),
            ("group", group.code, f"{group.code} {group.local_name}"),
        ]
        if lead is not None:  # never guessed: the source names it or the entry says nothing
            facts.append(("organization", lead.acronym, lead.local_display_name))
        return {
            "title_language": translated if _translated_title(item) else "en",
            "summary_language": translated if item.translated_excerpt else "en",
            "facts": facts,
        }


def _translated_title(item: Initiative) -> str:
    translation = item.shown_translation
    return translation.translated_title if translation else ""
