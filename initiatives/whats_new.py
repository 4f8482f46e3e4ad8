"""What counts as new in the catalogue: initiatives published in the last ``NEW_FOR_DAYS`` days.

Counted in whole days (UTC, the site's time zone): on a given day an initiative is new when it
was published on or after midnight ``NEW_FOR_DAYS`` days before. So a page's "New" marks change
once a day, at midnight, and what caches a page keys it by the day (``today()``) as well as by
the catalogue version: a mark never outlives its 30 days in a cached page.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

NEW_FOR_DAYS = 30


def today() -> date:
    """The day pages are rendered for (tests replace it to move time on)."""
    return timezone.localdate()


def new_since(day: date) -> datetime:
    """The first instant of the period whose publications are new on ``day``."""
    start = day - timedelta(days=NEW_FOR_DAYS)
    return datetime.combine(start, time.min, tzinfo=timezone.get_current_timezone())
