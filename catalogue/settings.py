"""Settings for the Initiatives Catalogue, read from the environment (12-factor).

Local defaults are safe for a developer's machine. With ``DJANGO_ENV=production`` every value
that must not have a default (``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL``) is required and
the process refuses to start without it. Nothing here touches the network or the disk.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Parse a boolean variable explicitly; anything unrecognised is an error, not False."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, not {raw!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production.")
    return value


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development").strip().lower()
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}."
    )
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")

_DEV_SECRET_KEY = "development-only-key-never-used-in-production"
if PRODUCTION:
    SECRET_KEY = env_required("SECRET_KEY")
    if (
        SECRET_KEY == _DEV_SECRET_KEY
        or SECRET_KEY.startswith("django-insecure")
        or len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
    ):
        raise ImproperlyConfigured(
            "SECRET_KEY is not a real secret: use at least 50 random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
    env_required("DATABASE_URL")
else:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _DEV_SECRET_KEY
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_filters",
    "csp",
    "django_countries",
    "simple_history",
    "import_export",
    "axes",
    # Staff sign-in with a second factor: authenticator apps (TOTP) and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "catalogue.staff_auth",
    "catalogue.backups",
    "rest_framework",
    "drf_spectacular",
    "parler",
    "initiatives",
    "initiatives.registrations",
    "initiatives.alerts",
    "catalogue.page_cache",
]

MIDDLEWARE = [
    "catalogue.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "catalogue.middleware.SecurityHeadersMiddleware",
    "catalogue.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML and JSON compressed (Django's GZip mitigates BREACH by randomising the length).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session, before CommonMiddleware (Django's order); then the choice Django's
    # LocaleMiddleware leaves out for unprefixed addresses (catalogue/language.py).
    "django.middleware.locale.LocaleMiddleware",
    "catalogue.language.UnprefixedLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "initiatives.middleware.StaffSessionExpiryMiddleware",
    "catalogue.staff_auth.middleware.SecondFactorRequiredMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Innermost: it stores and replays only the view's own response (catalogue/page_cache/), so
    # every middleware above still runs on a cached page.
    "catalogue.page_cache.middleware.PageCacheMiddleware",
]

ROOT_URLCONF = "catalogue.urls"
WSGI_APPLICATION = "catalogue.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "catalogue.language.alternates",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "initiatives.registrations.context_processors.shortlist_codes",
            ],
        },
    },
]

# Without DATABASE_URL, `make` starts the project's embedded PostgreSQL and exports its URL;
# this default only serves a developer who runs manage.py by hand against a local server.
DATABASES = {
    "default": dj_database_url.config(
        default="postgres://postgres@127.0.0.1:5432/catalogue",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# With the database down, fail in seconds rather than hang (the 503 page says so).
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(
    os.environ.get("DB_CONNECT_TIMEOUT", "3")
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The UN's six official languages, each named in itself (the switcher shows these names).
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ru", "Русский"),
    ("ar", "العربية"),
    ("zh-hans", "中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates as the UN writes them ("1 October 2026"); the other languages keep Django's.
FORMAT_MODULE_PATH = ["catalogue.formats"]
# Staff translations of initiatives (django-parler): into the five other UN languages; English
# is the record itself, so it has no translation and nothing falls back to one.
PARLER_LANGUAGES = {
    None: tuple({"code": code} for code in ("fr", "es", "ru", "ar", "zh-hans")),
    "default": {"fallbacks": [], "hide_untranslated": True},
}
PARLER_DEFAULT_LANGUAGE_CODE = "fr"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production, serve straight from static/ (no collectstatic step for newcomers or tests).
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = not PRODUCTION

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# HTTPS: on in production (behind a TLS-terminating proxy that sets X-Forwarded-Proto).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
if env_bool("TRUST_X_FORWARDED_PROTO", default=PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# No inline script or style on the public site (static files only); see SecurityHeadersMiddleware.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=PRODUCTION)

# The seed data the catalogue is loaded from (see seeds/README.md).
SEEDS_DIR = BASE_DIR / "seeds"
SEED_FILE = SEEDS_DIR / "initiatives.json"

# Staff: the admin's address (moving it off /admin/ cuts automated login attempts), and how long
# an idle staff session lasts.
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"
# Admin login attempts: after AXES_FAILURE_LIMIT failures for one username from one address,
# that pair is locked out for AXES_COOLOFF_MINUTES (counted in PostgreSQL, across processes).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# Second factor (catalogue/staff_auth/): every staff page needs a session verified with an
# authenticator app's code or a single-use recovery code. A wrong code counts towards the lockout
# above, and django-otp also slows repeated wrong codes down (1 s, 2 s, 4 s, ...).
LOGIN_URL = "two_factor:login"
LOGIN_REDIRECT_URL = "admin:index"
# The staff sign-in page replaces the admin's own; the admin need not be patched.
TWO_FACTOR_PATCH_ADMIN = False
STAFF_SESSION_IDLE_SECONDS = int(os.environ.get("STAFF_SESSION_IDLE_SECONDS", str(2 * 3600)))

# Backups (manage.py backup_database, `make backup`): where they are written, and how many of
# the newest are kept.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / ".data" / "backups"))
BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "14"))

# Bulk import: all rows in one transaction; importing needs the "change" permission, exporting
# the "view" one.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# E-mail. With EMAIL_HOST set, mail goes over SMTP; otherwise (the local default) each message is
# written as a file under .data/outbox/, so a newcomer's registrations visibly "go out".
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", BASE_DIR / ".data" / "outbox"))
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "15"))
# The e-mail worker's first wait before retrying a message it could not send (then doubling).
EMAIL_RETRY_FIRST_SECONDS = float(os.environ.get("EMAIL_RETRY_FIRST_SECONDS", "30"))
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Initiatives Catalogue <no-reply@catalogue.invalid>"
)
# The coalition secretariat: receives requests for initiatives with no contact, and can be copied.
COALITION_CONTACT_EMAIL = os.environ.get(
    "COALITION_CONTACT_EMAIL", "SyntheticsCoalition@state.gov"
).strip()
COPY_SECRETARIAT = env_bool("COPY_SECRETARIAT", default=False)

# Registrations of interest.
REGISTRATION_RETENTION_MONTHS = int(os.environ.get("REGISTRATION_RETENTION_MONTHS", "24"))
REGISTRATION_MIN_FILL_SECONDS = float(os.environ.get("REGISTRATION_MIN_FILL_SECONDS", "3"))
REGISTRATION_RATE_LIMITS = {
    # (requests, seconds) per client address and per registrant e-mail address.
    "ip": (int(os.environ.get("RATE_LIMIT_PER_IP", "20")), 3600),
    "email": (int(os.environ.get("RATE_LIMIT_PER_EMAIL", "5")), 3600),
}
# E-mail alerts: how many searches one address may follow.
ALERTS_MAX_PER_ADDRESS = int(os.environ.get("ALERTS_MAX_PER_ADDRESS", "20"))

# The site's public address, for the links of e-mails sent with no request at hand (alerts, from
# cron): scheme and host, no path.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}.")

# How many proxies in front of the app set X-Forwarded-For (0: use the socket's address).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# One JSON object per line on stderr (LOG_FORMAT=text for plain lines while developing).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "catalogue.logs.JSONFormatter"},
        "text": {"format": "%(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("LOG_FORMAT", "json"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request lines come from RequestLogMiddleware; Django's own would repeat them.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Initiatives Catalogue API",
    "DESCRIPTION": "Open data: the technical-assistance initiatives of the Global Coalition to "
    "Address Synthetic Drug Threats, with the catalogue's filters and full-text search.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}
CSRF_FAILURE_VIEW = "catalogue.errors.csrf_failure"

# Caches: Redis when CACHE_URL (or REDIS_URL) is set (redis://, rediss://, unix://), shared by
# every process; otherwise each process keeps its own in memory. The page cache
# (catalogue/page_cache/) stores the public list, detail and API pages for anonymous visitors for
# PAGE_CACHE_SECONDS (0: off; off by default outside production, so templates being edited show
# at once); it is never stale: pages are keyed by a catalogue version kept in PostgreSQL.
CACHE_URL = (os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or "").strip()
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    _CACHE = {
        "BACKEND": "catalogue.cache.ForgivingRedisCache",
        "LOCATION": CACHE_URL,
        # A hung Redis costs a request at most this long (the page cache then renders the page;
        # see the README for maxmemory on a shared Redis).
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
    }
elif not CACHE_URL:
    _CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
else:
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL, not {CACHE_URL!r}.")
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "3600" if PRODUCTION else "0"))
PAGE_CACHE_ALIAS = "pages"
PAGE_CACHE_RELEASE = os.environ.get("PAGE_CACHE_RELEASE", "").strip()
CACHES = {
    "default": {**_CACHE, "LOCATION": _CACHE.get("LOCATION", "default")},
    PAGE_CACHE_ALIAS: {
        **_CACHE,
        "LOCATION": _CACHE.get("LOCATION", "pages"),
        # Its own prefix, apart from the default cache's keys in a shared Redis.
        "KEY_PREFIX": "page",
        # In memory, per process: a few hundred pages (the list is the largest, ~150 kB).
        "OPTIONS": _CACHE.get("OPTIONS", {"MAX_ENTRIES": 300}),
    },
}
