"""Small data derived from the catalogue, kept in Django's cache for one catalogue version.

Every list page needs a few things that change only when the catalogue does: the filters'
options and the search's vocabulary and synonyms. The catalogue version
(``catalogue.page_cache``) changes at the commit of any write to a catalogue table, so they are
kept under a key that holds it (and the code release, so a deployment never reads what the
previous code stored): an edit is seen at the next page, in every process.
"""

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from catalogue.page_cache.version import catalogue_version, release

__all__ = ["catalogue_version", "kept", "key"]

T = TypeVar("T")
SECONDS = 24 * 3600  # a newer version makes an entry useless long before


def kept(name: str, build: Callable[[], T], version: str | None = None) -> T:
    """``build()``, built once per catalogue ``version`` (read now when not given); never kept
    when the version cannot be read."""
    version = version or catalogue_version()
    if version is None:
        return build()
    value = cache.get(key(name, version))
    if value is None:
        value = build()
        cache.set(key(name, version), value, SECONDS)
    return value


def key(name: str, version: str) -> str:
    return f"derived:{name}:{release()}:{version}"
