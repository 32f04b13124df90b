"""Settings for the CRM, read from the environment with embedded defaults.

With nothing set the project runs on a laptop: SQLite and a file-based Celery broker
under ``var/``. Production sets ``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY``,
``ALLOWED_HOSTS`` and ``DEBUG=false``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CRM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The fallback key only serves a laptop run; production passes SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or "insecure-key-for-local-runs-only-change-me"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "crm.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "simple_history",
    "template_partials",
    "csp",
    "contacts",
    "marketing",
    "leads",
    "sales",
    "accounting",
    "service",
    "crm.insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crm.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"
ASGI_APPLICATION = "crm.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "crm.accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
SQLITE_URL = f"sqlite:///{VAR_DIR / 'crm.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or SQLITE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Form dropdowns iterate their querysets; a server-side cursor costs three round trips
    # for a dozen rows, and breaks behind a transaction-pooling pgbouncer.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    # PostgreSQL compiles queries it expects to be costly (JIT), which adds 15-40 ms to a
    # report that then runs in a few: never worth it for pages answered in milliseconds.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL and immediate transactions let the web server, worker and beat share one file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # The test database is a file, not memory: an in-memory database is one connection that
    # the browser tests' live server shares between its threads, and htmx loads several
    # panels of a page at once.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")


def _next_database(url: str) -> str:
    """The same Redis server, the database after the broker's (redis://host:6379/0 -> /1)."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{number + 1}"))


if REDIS_URL:
    # The cache has a database of its own: clearing it must never empty the task queues.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("REDIS_CACHE_URL") or _next_database(REDIS_URL),
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    # A task taken by a worker that died (acks_late) goes back to the queue after this long.
    # Longer than the slowest task, or a slow task would be run twice.
    _visibility_timeout = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 3600))
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        "visibility_timeout": _visibility_timeout,
        # Look for such tasks every 10 s (or sooner for a short timeout), not every 100 s.
        "unacked_restore_interval": max(1, min(10, _visibility_timeout // 2)),
        "unacked_restore_throttle": 1,
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # kombu's filesystem transport: a broker that needs no server, for a laptop run.
    CELERY_BROKER_URL = "filesystem://"
    _queue_dir = str(VAR_DIR / "celery" / "queue")
    (VAR_DIR / "celery" / "queue").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _queue_dir,
        "data_folder_out": _queue_dir,
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }

# Counts and dropdown options shared between requests (crm/caching.py) need a cache that
# every process reads; a per-process cache would miss what a worker or a command changed.
CRM_SHARED_CACHE = bool(REDIS_URL)
if CRM_SHARED_CACHE:
    # Sessions read from Redis, written through to the database: one query less per page.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Rendered fragments that depend only on the code and on their cache key (the menu of a set
# of roles): each process keeps its own, so a deploy's restart never serves old HTML.
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"}

CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "America/Bogota"

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling: per username *and* address, with a cool-off rather than a lockout.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Bogota"
USE_I18N = True
USE_TZ = True
CRM_CURRENCY = os.environ.get("CRM_CURRENCY", "COP")

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email ----------------------------------------------------------------------------


def email_settings(url: str) -> dict:
    """Turn ``EMAIL_URL`` (smtp://user:pass@host:587, smtps://..., console:, locmem:) into settings."""
    if not url or url.startswith("console:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if url.startswith("locmem:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    parts = urlsplit(url)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
    }


globals().update(email_settings(os.environ.get("EMAIL_URL", "")))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "crm@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from a meta tag, not the cookie.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Container and load-balancer probes speak plain HTTP to the app itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "crm.views.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # WeasyPrint narrates every step of a PDF at INFO, which the worker's INFO log would show.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}

# --- The CRM's own settings -----------------------------------------------------------
CRM_LIST_PAGE_SIZE = 50
CRM_IMPORT_MAX_BYTES = env_int("CRM_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
CRM_BASE_URL = os.environ.get("CRM_BASE_URL", "http://127.0.0.1:8000")
# Remind a person of a visit or meeting this many minutes before it starts.
CRM_VISIT_REMINDER_MINUTES = env_int("CRM_VISIT_REMINDER_MINUTES", 60)
# Documents on customers, opportunities and quotes (and email attachments kept with the email):
# the size limit and the extensions accepted, each also checked against the file's own content.
CRM_DOCUMENT_MAX_BYTES = env_int("CRM_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)
CRM_DOCUMENT_TYPES = env_list(
    "CRM_DOCUMENT_TYPES",
    ["pdf", "png", "jpg", "jpeg", "gif", "webp", "txt", "csv", "docx", "xlsx"],
)
# Users' own mailboxes (email on the customer). App passwords are encrypted with a key made
# from CRM_MAILBOX_KEY (comma-separated to rotate: the first encrypts) or else SECRET_KEY.
CRM_MAILBOX_KEY = os.environ.get("CRM_MAILBOX_KEY", "")
CRM_MAIL_TIMEOUT = env_int("CRM_MAIL_TIMEOUT", 30)
# At most this many messages per mailbox and run; the rest come with the next run.
CRM_MAIL_FETCH_LIMIT = env_int("CRM_MAIL_FETCH_LIMIT", 200)
# A newly connected mailbox (or one whose server renumbered it) starts from this many days back.
CRM_MAIL_FIRST_FETCH_DAYS = env_int("CRM_MAIL_FIRST_FETCH_DAYS", 30)

# --- Service --------------------------------------------------------------------------
# Warn the assignee and their manager when this share of an SLA target's business time is left.
SERVICE_SLA_WARNING_PERCENT = env_int("SERVICE_SLA_WARNING_PERCENT", 20)
SERVICE_ATTACHMENT_MAX_BYTES = env_int("SERVICE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# File extensions accepted on tickets; each is also checked against the file's own content.
SERVICE_ATTACHMENT_TYPES = env_list(
    "SERVICE_ATTACHMENT_TYPES",
    ["pdf", "png", "jpg", "jpeg", "gif", "webp", "txt", "csv", "log", "docx", "xlsx"],
)
# How long the satisfaction link emailed to the customer stays valid.
SERVICE_SATISFACTION_LINK_DAYS = env_int("SERVICE_SATISFACTION_LINK_DAYS", 14)

# --- Company details printed on quotes and other documents ----------------------------
CRM_COMPANY_NAME = os.environ.get("CRM_COMPANY_NAME", "Mi Empresa S.A.S.")
CRM_COMPANY_TAX_ID = os.environ.get("CRM_COMPANY_TAX_ID", "")
CRM_COMPANY_ADDRESS = os.environ.get("CRM_COMPANY_ADDRESS", "")
CRM_COMPANY_PHONE = os.environ.get("CRM_COMPANY_PHONE", "")
CRM_COMPANY_EMAIL = os.environ.get("CRM_COMPANY_EMAIL", "")
CRM_COMPANY_WEBSITE = os.environ.get("CRM_COMPANY_WEBSITE", "")
