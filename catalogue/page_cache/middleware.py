"""The page cache middleware (see the package docstring for what is and is not cached)."""

import hashlib
import logging
import re
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import DatabaseError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils import translation

from initiatives import whats_new
from initiatives.filters import PARAMETERS

from .version import catalogue_version, release

logger = logging.getLogger(__name__)

# Each cacheable view and the query parameters it reads (initiatives/filters.py, the list view,
# the API's pagination, DRF's format override, drf-spectacular's schema view). A page whose
# query has any other parameter is served but not stored: random parameters (a crawler's
# cache-busters) would otherwise each add an entry, and a shared cache has no entry limit.
CACHEABLE_VIEWS = {
    "initiatives:list": {*PARAMETERS, "page"},
    "initiatives:detail": set(),
    "initiatives:feed": set(PARAMETERS),
    "api:initiative-list": {*PARAMETERS, "page", "page_size", "format"},
    "api:initiative-detail": {"format"},
    "api:schema": {"format", "lang"},
}
MAX_QUERY_STRING = 1024
# The API negotiates on Accept; only these (what API clients send, stripped) are cached, each
# its own entry, so arbitrary headers cannot add entries either.
CACHEABLE_ACCEPT = {"", "*/*", "application/json"}
MAX_BYTES = 2_000_000
ALLOWED_VARY = {"accept", "accept-encoding", "cookie"}
UNCACHEABLE_CONTROL = {"private", "no-store", "no-cache"}
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')

# Set by the middleware for the request it may store; do_not_store() marks it.
_this_request: ContextVar[dict | None] = ContextVar("page_cache_request", default=None)


def do_not_store() -> None:
    """For a view whose 200 is degraded (e.g. built while the database failed): serve it, but
    do not keep it, or every visitor would get it until the next catalogue edit."""
    flags = _this_request.get()
    if flags is not None:
        flags["do_not_store"] = True


@dataclass
class Entry:
    """A view's response without its CSRF token: ``parts`` joined by a fresh token (GZip
    compresses it on the way out, as it does any page)."""

    status: int
    headers: list[tuple[str, str]]
    parts: list[bytes]
    uses_csrf: bool

    @classmethod
    def of(cls, request, response, view_set_csrf: bool) -> "Entry | None":
        if (
            response.status_code != 200
            or response.streaming
            or response.cookies
            or len(response.content) > MAX_BYTES
            or request.session.modified
            or request.session.keys()
            or getattr(getattr(request, "_messages", None), "added_new", False)
            or UNCACHEABLE_CONTROL & _tokens(response.get("Cache-Control", ""))
            or _tokens(response.get("Vary", "")) - ALLOWED_VARY
            or response.has_header("Content-Encoding")
        ):
            return None
        tokens = set(CSRF_INPUT.findall(response.content))
        if len(tokens) > 1:
            return None
        parts = response.content.split(tokens.pop()) if tokens else [response.content]
        headers = [(k, v) for k, v in response.items() if k.lower() != "content-length"]
        return cls(response.status_code, headers, parts, view_set_csrf or len(parts) > 1)

    def response(self, request) -> HttpResponse:
        token = get_token(request).encode() if self.uses_csrf else b""
        response = HttpResponse(token.join(self.parts), status=self.status)
        for name, value in self.headers:
            response[name] = value
        return response


def _tokens(header: str) -> set[str]:
    return {part.split("=")[0].strip().lower() for part in header.split(",") if part.strip()}


def _view_name(request) -> str | None:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


def _without_state(request) -> bool:
    """Anonymous, with nothing in the session (no shortlist) and no pending messages."""
    if CookieStorage.cookie_name in request.COOKIES:
        return False
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True
    try:
        return not request.user.is_authenticated and not request.session.keys()
    except DatabaseError:
        return False  # the view answers (503)


def _bounded(request, view_name: str) -> bool:
    """Only the addresses and Accept headers the view tells apart get an entry."""
    query = request.META.get("QUERY_STRING", "")
    if len(query) > MAX_QUERY_STRING or request.GET.keys() - CACHEABLE_VIEWS[view_name]:
        return False
    return not view_name.startswith("api:") or (
        request.META.get("HTTP_ACCEPT", "").strip() in CACHEABLE_ACCEPT
    )


def _key(request, version: str, view_name: str) -> str:
    accept = request.META.get("HTTP_ACCEPT", "").strip() if view_name.startswith("api:") else ""
    # The language the page is rendered in: the address's prefix, or for the unprefixed API
    # the Accept-Language header (catalogue/language.py), so one address has an entry per
    # language it answers in.
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language()
    address = (
        f"{request.scheme}://{request.get_host()}{request.get_full_path()}\n{accept}\n{language}"
    )
    # The day too: a list marks the initiatives published in the last days "New", and the
    # mark must go when they are over, whether or not the catalogue changed.
    day = whats_new.today().isoformat()
    return f"{release()}:{version}:{day}:{hashlib.sha256(address.encode()).hexdigest()}"


class PageCacheMiddleware:
    """Last in MIDDLEWARE: it stores and replays only what the view itself produced."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds <= 0 or request.method != "GET":
            return self.get_response(request)
        view_name = _view_name(request)
        if (
            view_name not in CACHEABLE_VIEWS
            or not _bounded(request, view_name)
            or not _without_state(request)
        ):
            return self.get_response(request)
        version = catalogue_version()
        if version is None:
            return self.get_response(request)
        store = caches[settings.PAGE_CACHE_ALIAS]
        key = _key(request, version, view_name)
        try:
            entry = store.get(key)
        except Exception:  # noqa: BLE001  (a cache outage must not take the pages down)
            logger.warning("page cache unavailable", exc_info=True)
            return self.get_response(request)
        if entry is not None:
            return entry.response(request)

        csrf_before = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
        flags = {}
        reset = _this_request.set(flags)
        try:
            response = self.get_response(request)
        finally:
            _this_request.reset(reset)
        view_set_csrf = not csrf_before and request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
        entry = None if flags else Entry.of(request, response, view_set_csrf)
        if entry is not None:
            try:
                store.set(key, entry, seconds)
            except Exception:  # noqa: BLE001
                logger.warning("page cache unavailable", exc_info=True)
        return response
