"""A shared cache of the public pages' rendered responses, never stale.

What is cached: the view's own response (status 200, body and the view's headers) for anonymous
GETs of the list, detail, feed and API pages (``CACHEABLE_VIEWS`` in ``middleware.py``), keyed by

- the release (a digest of the templates and code, so a deployment never serves old HTML),
- the catalogue version (``CatalogueVersion``: a token that PostgreSQL triggers change in the same
  transaction as any write to the catalogue's tables, at its commit (migration 0002), read from
  the database on every request, so every gunicorn process sees an edit at once),
- scheme, host, path and the query string exactly as sent (the pages echo it in their links, so
  two spellings of one query are two pages), and for the API the ``Accept`` header,
- the language the page is rendered in (the address's language prefix, or for the API without
  one its ``Accept-Language``), so a page in one language is never served in another,
- the day (``initiatives.whats_new.today()``): a list marks initiatives published in the last
  30 days "New", and a mark must go when its days are over even if nothing was edited.

Nothing that differs between two responses of one address is in a stored body: pages carry no
CSP nonce (the detail page's JSON-LD is a data block, which CSP does not govern), so a replayed
page never holds a nonce its response's header does not allow.

Only addresses the view tells apart are stored: a query string of at most 1 kB with no parameter
but the view's own (``CACHEABLE_VIEWS``), and for the API an ``Accept`` of none, ``*/*`` or
``application/json``; anything else is served without being stored, so random parameters cannot
fill the cache.

The middleware sits innermost, so every other middleware (request id, security headers, CSP,
session and CSRF cookies, logging) still runs on each cached response. The CSRF token in a
page's forms is never stored: the body is kept in pieces around it and each response gets a fresh
token, exactly as an uncached render would; GZipMiddleware then compresses it as any page.

Never cached: anything but GET; the admin, registration and shortlist pages (not in the list);
requests from a signed-in user, with a non-empty session (a shortlist) or with pending messages;
non-200 responses; degraded ones (the view called ``middleware.do_not_store()``); responses
that set a cookie, change the session, say ``private``/``no-store``/``no-cache`` or vary on
anything but ``Accept``, ``Accept-Encoding`` and ``Cookie``; streaming responses.
``PAGE_CACHE_SECONDS=0`` switches it off.
"""
