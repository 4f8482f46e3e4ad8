"""Named queries for initiatives; views and templates use these, never raw filters."""

import re

from django.contrib.postgres.search import SearchRank
from django.db import connection, models
from django.db.models import BooleanField, F
from django.db.models.expressions import RawSQL

PLAUSIBLE_CODE = re.compile(r"[0-9A-Z]{1,12}")
# A card reading any other field would cost one query per result (tests/test_views.py counts);
# its group and lead organization come from memory (FilterChoices.attach).
RESULT_CARD_FIELDS = ("code", "title", "description", "sub_working_group", "lead_organization")
RELATED_DEPTH = 50  # related candidates ranked with the full search vector


class InitiativeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def with_ids(self, ids: list[int]):
        """``pk__in`` with the ids as one array parameter: a placeholder per id (hundreds, for
        the best results of a search) cost more to build and send than the query itself."""
        table = self.model._meta.db_table
        return self.filter(
            RawSQL(f'"{table}"."id" = ANY(%s::bigint[])', (list(ids),), output_field=BooleanField())
        )

    def with_organizations(self):
        """Load the groups and organizations a listing shows, in a constant number of queries."""
        return self.select_related(
            "sub_working_group__working_group",
            "lead_organization",
            "point_of_contact__organization",
        ).prefetch_related("partner_organizations")

    def for_result_cards(self):
        """Only what a result card shows, for the few initiatives of a page, put in order by
        the caller. The rest would cost more than the card: the search vector alone is larger
        than every description together, and each row's dates and arrays are converted. No
        joins: each card's group and lead organization are among the filters' options, already
        in memory (``FilterChoices.attach``)."""
        return self.only(*RESULT_CARD_FIELDS).order_by()

    def in_catalogue_order(self):
        return self.order_by("sub_working_group__code", "code")

    def carried_facets_sql(self) -> str:
        """The conditions of the partial indexes initiative_published_status / _regions, word
        for word, so each EXISTS is one probe of an (often empty) index, not a table scan."""
        table = self.model._meta.db_table
        return (
            f"SELECT EXISTS (SELECT 1 FROM {table} WHERE is_published AND NOT (status = '')), "
            f"EXISTS (SELECT 1 FROM {table} WHERE is_published AND NOT (regions = '{{}}'))"
        )

    def carried_facets(self) -> dict[str, bool]:
        """Whether any published initiative has a status / regions, in one round trip."""
        with connection.cursor() as cursor:
            cursor.execute(self.carried_facets_sql())
            status, regions = cursor.fetchone()
        return {"status": status, "regions": regions}

    def unattributed(self):
        return self.filter(lead_organization__isnull=True)

    def by_code(self, code: str):
        """Codes are case-insensitive for people (2206a is 2206A). Anything that cannot be a
        code (a NUL byte, 100 kB of text) matches nothing without reaching the database."""
        code = code.strip().upper()
        if not PLAUSIBLE_CODE.fullmatch(code):
            return self.none()
        return self.filter(code=code)

    def by_codes(self, codes):
        return self.filter(
            code__in=[
                c.strip().upper() for c in codes if PLAUSIBLE_CODE.fullmatch(c.strip().upper())
            ]
        )

    def in_same_group_as(self, initiative):
        return self.filter(sub_working_group_id=initiative.sub_working_group_id)

    def before(self, initiative):
        """The previous initiative in code order (within whatever this queryset holds)."""
        return self.filter(code__lt=initiative.code).order_by("-code").first()

    def after(self, initiative):
        return self.filter(code__gt=initiative.code).order_by("code").first()

    def related_to(self, initiative, limit: int = 3):
        """Initiatives of the same sub-working group that share the most with its title and
        opening paragraph, best first."""
        from .search.engine import similarity_query

        query = similarity_query(initiative)
        if query is None:
            return self.none()
        # As in search: the narrow title-and-keywords vector picks the RELATED_DEPTH best
        # candidates (every one, in a real group), and only those are ranked with the wide one.
        candidates = (
            self.in_same_group_as(initiative)
            .exclude(pk=initiative.pk)
            .filter(search_vector=query)
            .annotate(head_similarity=SearchRank(F("search_head"), query))
            .order_by("-head_similarity", "code")
            .values("pk")[:RELATED_DEPTH]
        )
        return (
            self.filter(pk__in=candidates)
            .annotate(similarity=SearchRank(F("search_vector"), query))
            .order_by("-similarity", "code")
            .select_related("lead_organization")[:limit]
        )
