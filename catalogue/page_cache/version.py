"""The catalogue version: a token that changes at the commit of any write to the catalogue."""

from django.db import DatabaseError, connection


def catalogue_version() -> str | None:
    """The current token; None (nothing is cached) when the database cannot be read or the row
    is missing (a write to the catalogue creates it again). Data derived from the
    catalogue is kept per token too (``initiatives.derived``)."""
    try:
        with connection.cursor() as cursor:
            # Bumps first if this transaction has catalogue changes not yet bumped (the
            # triggers bump at commit, migration 0002), so they are never stored under the old
            # token.
            cursor.execute("SELECT page_cache_current_version()")
            row = cursor.fetchone()
    except DatabaseError:
        return None
    return None if row is None else row[0]
