"""Small data derived from the catalogue, kept in each process for one catalogue version.

Every list page needs a few things that change only when the catalogue does: the filters'
options, and how the initiatives' rows are spread over the table's pages (``search.sampling``).
The catalogue version (``catalogue.page_cache``) changes at the commit of any write to a
catalogue table, so one query for it stands in for the queries that build them; a process keeps
what it built for the latest version it saw.
"""

import threading
from collections.abc import Callable
from typing import TypeVar

from catalogue.page_cache.middleware import catalogue_version

__all__ = ["catalogue_version", "forget", "kept"]

T = TypeVar("T")
_lock = threading.Lock()
_kept: dict[str, tuple[str, object]] = {}


def kept(name: str, version: str | None, build: Callable[[], T]) -> T:
    """``build()``, built once per ``version``; a None version (unreadable) is never kept."""
    if version is None:
        return build()
    with _lock:
        held = _kept.get(name)
    if held is not None and held[0] == version:
        return held[1]
    value = build()  # outside the lock: two threads may both build it, neither waits
    with _lock:
        _kept[name] = (version, value)
    return value


def forget() -> None:
    with _lock:
        _kept.clear()
