"""Which language an unprefixed address answers in, and the page's addresses in each language.

English lives at ``/``, the other languages under their prefix (``/fr/``, ``/ar/``, ...:
``i18n_patterns(prefix_default_language=False)``). Django's ``LocaleMiddleware`` then answers
every unprefixed address in English, whatever the browser asks for. This middleware, placed
right after it, adds the two choices it leaves out:

- a page (HTML) asked for without a prefix goes to the language remembered in Django's language
  cookie (set by the switcher, ``set_language``), else to the browser's ``Accept-Language``;
  English (a cookie saying ``en``, or no preference, as crawlers send) stays at ``/``;
- the API (``/api/...``) answers in the language of ``Accept-Language``, without redirecting
  (an API client follows no language cookie); ``LocaleMiddleware`` then sets
  ``Content-Language`` and ``Vary: Accept-Language``. That language is ``request.LANGUAGE_CODE``
  from here on (the page cache keys on it), and is activated only once the address is resolved:
  an unprefixed address resolves only while the default language is active.
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import trans_real


def _accept_language(request) -> str:
    """The first supported language of ``Accept-Language`` (English when none is)."""
    # The same parsing as Django's get_language_from_request, without its cookie step.
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in trans_real.parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _unprefixed_route(path: str):
    """The view an address without a language prefix resolves to, when that address exists in
    every language (None for the health checks, the admin, an unknown address)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    other = next(code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE)
    return match if translate_url(path, other) != path else None


class UnprefixedLanguageMiddleware:
    """Right after LocaleMiddleware: the language of an address without a prefix."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        route = None if translation.get_language_from_path(path) else _unprefixed_route(path)
        if route is None:
            return self.get_response(request)
        if "api" in route.namespaces:
            request.LANGUAGE_CODE = _accept_language(request)
            response = self.get_response(request)
            # Also for a page served from the cache (no view ran): LocaleMiddleware names it.
            translation.activate(request.LANGUAGE_CODE)
            return response
        if request.method in ("GET", "HEAD"):
            wanted = translation.get_language_from_request(request)  # cookie, then header
            if wanted != settings.LANGUAGE_CODE:
                response = HttpResponseRedirect(translate_url(request.get_full_path(), wanted))
                patch_vary_headers(response, ("Accept-Language", "Cookie"))
                return response
        response = self.get_response(request)
        # The English page is shown because neither the cookie nor the header asked otherwise.
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if translation.get_language() != request.LANGUAGE_CODE:
            translation.activate(request.LANGUAGE_CODE)


def alternates(request) -> dict:
    """Template context: this page in every language (for the switcher and the hreflang links).

    A page that exists in one language only (an error page at an unknown address) offers the
    home page of each language instead; the error page for a host the site does not serve
    offers none.
    """
    try:
        request.get_host()
    except DisallowedHost:
        return {"page_languages": [], "page_localised": False}
    current = translation.get_language()
    full_path = request.get_full_path()
    urls = {code: translate_url(full_path, code) for code, _name in settings.LANGUAGES}
    localised = len(set(urls.values())) > 1
    languages = []
    for code, name in settings.LANGUAGES:
        url = urls[code] if localised else translate_url("/", code)
        languages.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "absolute_url": request.build_absolute_uri(url),
                "bidi": translation.get_language_info(code)["bidi"],
                "current": code == current,
            }
        )
    return {"page_languages": languages, "page_localised": localised}
