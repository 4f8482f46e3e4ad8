"""What cached pages and data are keyed by: the catalogue version, a token that changes at the
commit of any write to the catalogue, and the code release."""

import hashlib
from functools import cache

from django.conf import settings
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


def release() -> str:
    """Changes with any template, Python module, translation or static file name, so a
    deployment never serves pages rendered by the previous code (PAGE_CACHE_RELEASE overrides
    it)."""
    return settings.PAGE_CACHE_RELEASE or _code_digest()


@cache
def _code_digest() -> str:
    digest = hashlib.sha256()
    base = settings.BASE_DIR
    files = [settings.STATIC_ROOT / "staticfiles.json"]
    for folder in ("templates", "initiatives", "catalogue", "locale"):
        files += (base / folder).rglob("*.*")
    for path in sorted(files):
        if path.suffix in {".py", ".html", ".txt", ".json", ".po"} and path.is_file():
            digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
