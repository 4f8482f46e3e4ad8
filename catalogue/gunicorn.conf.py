"""gunicorn settings for `make serve` and production (environment variables override)."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# The usual sizing for sync workers: two per core plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # a stuck request is killed
graceful_timeout = 30  # on SIGTERM/SIGHUP, finish requests in flight first
keepalive = 5
# Recycle workers now and then (a guard against slow leaks), rarely and spread out: each restart
# boots Django again and empties that process's page cache, and closely bunched restarts (2000 ± 200
# used to line all workers up every few seconds under load) stall the whole server.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 4
accesslog = None  # the application logs each request itself
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
