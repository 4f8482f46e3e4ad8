"""Named queries for initiatives; views and templates use these, never raw filters."""

from django.db import models


class InitiativeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def with_organizations(self):
        """Load the groups and organizations a listing shows, in a constant number of queries."""
        return self.select_related(
            "sub_working_group__working_group", "lead_organization", "point_of_contact"
        ).prefetch_related("partner_organizations")

    def in_catalogue_order(self):
        return self.order_by("sub_working_group__code", "code")

    def unattributed(self):
        return self.filter(lead_organization__isnull=True)

    def by_code(self, code: str):
        """Codes are case-insensitive for people (2206a is 2206A)."""
        return self.filter(code=code.strip().upper())
