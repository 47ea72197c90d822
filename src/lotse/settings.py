"""The one settings module of Lotse.

Everything an operator may change comes from environment variables; every
variable has a safe default for the embedded SQLite set-up, so a fresh machine
with nothing but Python runs the site.  ``LOTSE_PROFILE=production`` switches
on the production profile (secure cookies, HSTS, a mandatory secret key).
See docs/configuration.md for the full list.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def env(name: str, default: str = "") -> str:
    """A setting from the environment; set but empty counts as not set."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
PROFILE = env("LOTSE_PROFILE", "development")
PRODUCTION = PROFILE == "production"
DATA_DIR = Path(env("LOTSE_DATA_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("LOTSE_DEBUG", default=not PRODUCTION)

_DEV_SECRET = "lotse-development-only-secret-key-do-not-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env("LOTSE_SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("LOTSE_SECRET_KEY must be set in the production profile.")

ALLOWED_HOSTS = env_list(
    "LOTSE_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver,[::1]"
)
CSRF_TRUSTED_ORIGINS = env_list("LOTSE_CSRF_TRUSTED_ORIGINS")
SITE_URL = env("LOTSE_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    # Before allauth, so its templates (accounts/templates/account/...) override allauth's.
    "lotse.accounts",
    "allauth",
    "allauth.account",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "lotse.core",
    "lotse.ecosystem",
    "lotse.search",
    "lotse.events",
    "lotse.matching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "lotse.urls"
WSGI_APPLICATION = "lotse.wsgi.application"
SITE_ID = 1

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
                "csp.context_processors.nonce",
                "lotse.core.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# SQLite is the embedded default; PostgreSQL (DATABASE_URL=postgres://...) is the
# production database.  Both are tested in CI.
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'lotse.sqlite3'}"),
        # Persistent connections: a new PostgreSQL connection per request cost
        # ~4 ms of a directory page.  Checked before reuse, so a restarted
        # database costs one failed request at most, not a broken worker.
        conn_max_age=int(env("LOTSE_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE makes concurrent writers queue instead of failing with
        # "database is locked" half-way through a transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # mmap: reads come straight from the OS page cache instead of being
        # copied into SQLite's small private cache (a full-text match over a
        # large index reads tens of thousands of rows).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            f"PRAGMA mmap_size={int(env('LOTSE_SQLITE_MMAP_MB', '1024')) * 1024 * 1024};"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": env("LOTSE_TEST_SQLITE_NAME", "") or None}
else:
    test_name = env("LOTSE_TEST_DB_NAME")
    if test_name:
        DATABASES["default"]["TEST"] = {"NAME": test_name}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and background jobs --------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "lotse",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "lotse",
        }
    }

# Background jobs go through Django's task API (django-tasks backport of Django 6's
# django.tasks).  Production with Redis: RQ workers (`lotse worker`).  Without Redis:
# "database" keeps jobs in the database (`lotse worker` runs them), "immediate"
# runs them in-process right away (the zero-config default for the demo and tests).
LOTSE_TASKS_BACKEND = env("LOTSE_TASKS_BACKEND", "rq" if REDIS_URL else "immediate")
_TASK_BACKENDS = {
    "rq": "django_tasks_rq.RQBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if LOTSE_TASKS_BACKEND not in _TASK_BACKENDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"LOTSE_TASKS_BACKEND must be one of {sorted(_TASK_BACKENDS)}")
TASKS = {
    "default": {"BACKEND": _TASK_BACKENDS[LOTSE_TASKS_BACKEND], "QUEUES": ["default"]},
}
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600}}

# --- Accounts -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
ACCOUNT_ADAPTER = "lotse.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("LOTSE_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Lotse] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Login throttling: allauth counts failed attempts per IP and per account.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("LOTSE_LOGIN_RATE", "10/m/ip,5/5m/key"),
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}

# --- Mail -----------------------------------------------------------------------
EMAIL_HOST = env("LOTSE_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(env("LOTSE_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("LOTSE_EMAIL_USER")
    EMAIL_HOST_PASSWORD = env("LOTSE_EMAIL_PASSWORD")
    EMAIL_USE_TLS = env_bool("LOTSE_EMAIL_TLS", default=EMAIL_PORT == 587)
else:
    # Without a mail server the mails go to the console, so the demo works offline.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("LOTSE_FROM_EMAIL", "Lotse <lotse@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ---------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("LOTSE_STATIC_ROOT", str(DATA_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("LOTSE_MEDIA_ROOT", str(DATA_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
LOTSE_MAX_IMPORT_BYTES = int(env("LOTSE_MAX_IMPORT_BYTES", str(20 * 1024 * 1024)))
LOTSE_MAX_LOGO_BYTES = 1024 * 1024

# --- Security ---------------------------------------------------------------------
# A strict Content-Security-Policy: no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the <meta> tag, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("LOTSE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(env("LOTSE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        },
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOTSE_LOG_LEVEL", "WARNING")},
}

# --- Lotse ------------------------------------------------------------------------
LOTSE_NETWORK_NAME = env("LOTSE_NETWORK_NAME", "Lotse – KI-Netzwerk Medien & Kultur")
LOTSE_STALE_AFTER_DAYS = int(env("LOTSE_STALE_AFTER_DAYS", "365"))
# Matchmaking: introduction requests per member and day; capacity limits for people.
LOTSE_INTRODUCTIONS_PER_DAY = int(env("LOTSE_INTRODUCTIONS_PER_DAY", "10"))
LOTSE_PERSON_SUGGESTIONS_PER_DAY = int(env("LOTSE_PERSON_SUGGESTIONS_PER_DAY", "100"))
LOTSE_PENDING_SOFT_LIMIT = int(env("LOTSE_PENDING_SOFT_LIMIT", "5"))
# Invitation mails one account may send in 24 hours (network managers: no limit).
LOTSE_INVITATIONS_PER_DAY = int(env("LOTSE_INVITATIONS_PER_DAY", "30"))
LOTSE_PAGE_SIZE = 20
CSRF_FAILURE_VIEW = "lotse.core.views.csrf_failure"
