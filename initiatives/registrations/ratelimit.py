"""Fixed-window rate limits stored in PostgreSQL, so they hold across every web process.

Keys are hashed: the table never holds an address or an e-mail in clear.
"""

import hashlib
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection

from .models import RateLimitCounter

# An upsert that counts and returns the count in one atomic statement: the ORM has no increment
# on conflict (update_or_create would read, then write, and race between web processes).
HIT_SQL = f"""
INSERT INTO {RateLimitCounter._meta.db_table} (key, window_start, count)
VALUES (%s, %s, 1)
ON CONFLICT (key, window_start) DO UPDATE SET count = {RateLimitCounter._meta.db_table}.count + 1
RETURNING count
"""


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{value.strip().lower()}".encode()).hexdigest()
    return f"{kind}:{digest[:40]}"


def allow(kind: str, value: str, *, now: datetime | None = None) -> tuple[bool, int]:
    """Count one request for (kind, value); return whether it is allowed and the seconds until
    the window resets."""
    limit, period = settings.REGISTRATION_RATE_LIMITS[kind]
    now = now or datetime.now(UTC)
    epoch = int(now.timestamp())
    start = epoch - epoch % period
    with connection.cursor() as cursor:
        cursor.execute(HIT_SQL, [_key(kind, value), datetime.fromtimestamp(start, UTC)])
        (count,) = cursor.fetchone()
    return count <= limit, start + period - epoch


def client_address(request) -> str:
    """The client's address: the socket's, or the one the trusted proxies saw."""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(addresses) >= hops:
            return addresses[-hops]
    return request.META.get("REMOTE_ADDR", "")


def forget_old_windows(before: datetime) -> int:
    return RateLimitCounter.objects.filter(window_start__lt=before).delete()[0]
