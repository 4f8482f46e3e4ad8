"""Named queries for initiatives; views and templates use these, never raw filters."""

from django.contrib.postgres.search import SearchRank
from django.db.models import F, Max, Prefetch
from django.utils.translation import get_language
from parler.managers import TranslatableQuerySet

from . import derived
from .codes import normalize_code
from .search import engine, translated
from .search.query import ParsedQuery
from .search.spelling import read_vocabulary

# A search ranks at most this many matches (found through the GIN index, in no order) and
# says "1,000+": a real catalogue is far below it, a synthetic 100,000 is not.
SEARCH_LIMIT = 1000
CATALOGUE_ORDER = ("sub_working_group__code", "code")
# "Newest first": latest published first; the founding list (no ``published_at``) after them.
NEWEST_ORDER = (F("published_at").desc(nulls_last=True), "code")
# What feeds follow: the latest change to what a reader sees first.
RECENTLY_CHANGED_ORDER = (F("changed_at").desc(), "code")
# A card reading any other field would cost one query per result (tests/test_views.py counts).
RESULT_CARD_FIELDS = (
    "code",
    "title",
    "description",
    "sub_working_group__code",
    "sub_working_group__name",
    "sub_working_group__working_group__number",
    "sub_working_group__working_group__name",
    "lead_organization__acronym",
    "lead_organization__name",
    "published_at",  # the "New" mark
)
# A feed entry is a result card with its dates.
FEED_ENTRY_FIELDS = (*RESULT_CARD_FIELDS, "created_at", "changed_at")


class InitiativeQuerySet(TranslatableQuerySet):
    def published(self):
        return self.filter(is_published=True)

    def changed_after(self, moment):
        """Published or changed (as readers see it: ``Initiative.changed_at``) after ``moment``."""
        return self.filter(changed_at__gt=moment)

    def with_reviewed_translations(self, language: str):
        """Fetch each initiative's reviewed translation into ``language`` in one query (read by
        ``Initiative.reviewed_translation``)."""
        translations = self.model._parler_meta.root_model.objects.filter(
            language_code=language, reviewed=True
        )
        return self.prefetch_related(
            Prefetch("translations", queryset=translations, to_attr="reviewed_translations")
        )

    def with_organizations(self):
        """Load the groups and organizations a listing shows, in a constant number of queries."""
        return self.select_related(
            "sub_working_group__working_group",
            "lead_organization",
            "point_of_contact__organization",
        ).prefetch_related("partner_organizations")

    def for_result_cards(self, fields=RESULT_CARD_FIELDS):
        """Only what a result card shows (``fields``), with the reviewed translation into the
        page's language: the search vector alone is larger than every description together."""
        cards = self.select_related("sub_working_group__working_group", "lead_organization").only(
            *fields
        )
        language = get_language()
        if language in dict(self.model.TRANSLATION_LANGUAGES):
            cards = cards.with_reviewed_translations(language)
        return cards

    def for_feed_entries(self):
        return self.for_result_cards(FEED_ENTRY_FIELDS)

    def in_catalogue_order(self):
        return self.order_by(*CATALOGUE_ORDER)

    def newest_first(self):
        return self.order_by(*NEWEST_ORDER)

    def recently_changed(self):
        """Latest change first (``changed_at``: published, or title, description or status
        changed)."""
        return self.order_by(*RECENTLY_CHANGED_ORDER)

    def latest_change(self):
        """When the latest of these initiatives changed (None when there are none)."""
        return self.aggregate(latest=Max("changed_at"))["latest"]

    def unattributed(self):
        return self.filter(lead_organization__isnull=True)

    def by_code(self, code: str):
        """Codes are case-insensitive for people (2206a is 2206A). Anything that cannot be a
        code (a NUL byte, 100 kB of text) matches nothing without reaching the database."""
        code = normalize_code(code)
        return self.filter(code=code) if code else self.none()

    def by_codes(self, codes):
        return self.filter(code__in=[code for code in map(normalize_code, codes) if code])

    def in_same_group_as(self, initiative):
        return self.filter(sub_working_group_id=initiative.sub_working_group_id)

    def before(self, initiative):
        """The previous initiative in code order (within whatever this queryset holds)."""
        return self.filter(code__lt=initiative.code).order_by("-code").first()

    def after(self, initiative):
        return self.filter(code__gt=initiative.code).order_by("code").first()

    # --- search ------------------------------------------------------------------------------

    def search_context(self, version: str | None = None) -> engine.SearchContext:
        """Synonyms and vocabulary of the published catalogue, once per catalogue version."""
        organizations = self.model._meta.get_field("lead_organization").related_model

        def build():
            pairs = organizations.objects.order_by("acronym").values_list("acronym", "name")
            published = self.model.objects.published()
            return engine.SearchContext.build(list(pairs), read_vocabulary(published))

        return derived.kept("search-context", build, version)

    def search(self, query: ParsedQuery | str):
        """Matches of ``query`` (typed text, or parsed with ``search_context().parse``),
        annotated with ``rank`` and ``complete`` (see ``search.engine.match``) and
        unordered: ``ranked()`` puts the best first."""
        if isinstance(query, str):
            query = self.search_context().parse(query, get_language())
        translations = self.model._parler_meta.root_model.objects.all()
        return engine.match(
            self, query, translated.matching(translations, query.text, get_language())
        )

    def ranked(self):
        """Best first: more clauses matched, then rank, then code (for ``search()``'s results)."""
        partial = "coverage" in self.query.annotations
        return self.order_by(*[F("coverage").desc()] * partial, F("rank").desc(), "code")

    def bounded(self):
        """At most ``SEARCH_LIMIT`` + 1 of these initiatives (enough to tell there are more),
        picked through the search index in no particular order (those matching more clauses
        first), in the same query: what a search ranks and counts."""
        # A relaxed search's few complete matches are always among them.
        first = [F("coverage").desc()] if "coverage" in self.query.annotations else []
        return self.filter(pk__in=self.order_by(*first).values("pk")[: SEARCH_LIMIT + 1])

    def with_headlines(self, query: ParsedQuery):
        return engine.with_headlines(self, query)

    def related_to(self, initiative, limit: int = 3):
        """Initiatives of the same sub-working group that share the most with its title,
        best first."""
        query = engine.similarity_query(initiative.title)
        if query is None:
            return self.none()
        return (
            self.in_same_group_as(initiative)
            .exclude(pk=initiative.pk)
            .filter(search_vector=query)
            .annotate(similarity=SearchRank(F("search_vector"), query))
            .order_by("-similarity", "code")
            .select_related("lead_organization")[:limit]
        )
