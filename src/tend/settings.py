"""Tend's one settings module, driven by the environment.

Safe defaults for one person on a laptop (SQLite in ``TEND_DATA_DIR``); ``TEND_ENV=production``
refuses to start without a secret key and allowed hosts.
"""

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("TEND_DATA_DIR", "var")).resolve()
TEND_ENV = env_str("TEND_ENV", "development")
PRODUCTION = TEND_ENV == "production"
TESTING = env_bool("TEND_TESTING") or "pytest" in sys.modules


def _development_secret_key() -> str:
    """A key generated once and kept in the data directory, so sessions survive restarts."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if PRODUCTION:
    missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS") if not env_str(name)]
    if missing:
        raise ImproperlyConfigured(
            f"TEND_ENV=production needs {' and '.join(missing)} in the environment."
        )
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "SECRET_KEY is short or a default: use 50+ random characters, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    DEBUG = False
else:
    SECRET_KEY = env_str("SECRET_KEY") or _development_secret_key()
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
    # Tracebacks (with SQL and local variables) only under `tend serve --dev`, which sets it.
    DEBUG = env_bool("TEND_DEV_SERVER")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves Swagger UI's files itself: the API docs work offline and under the CSP
    "tend.core",
    "tend.jobs",
    "tend.accounts",
    "tend.audit",
    "tend.customers",
    "tend.imports",
    "tend.timeline",
    "tend.handover",
    "tend.engagement",
    "tend.agenda",
    "tend.orders",
    "tend.approvals",
    "tend.tasks",
    "tend.cases",
    "tend.health",
    "tend.voice",
    "tend.market",
    "tend.reports",
    "tend.capture",
    "tend.api",
    "tend.demo",
    "tend.ops",
]

MIDDLEWARE = [
    "tend.ops.logs.RequestLogMiddleware",  # first: times and logs each request once
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tend.core.gate.PageGateMiddleware",  # after WhiteNoise: static files never wait for it
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "tend.core.middleware.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tend.accounts.middleware.UserTimezoneMiddleware",
    "tend.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tend.core.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "tend.urls"
WSGI_APPLICATION = "tend.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'tend.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        # A kept connection is checked before a request reuses it (one cheap round trip),
        # so a database restart costs no failed request.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: on the report aggregates it cost 0.6 s of compiling per query (the
    # planner's cost passes its threshold on any big table) to save a fraction of that; a
    # `?options=` in DATABASE_URL still sets it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite, reading back a decimal stored too large for its column (tend.core.sqlite).
    DATABASES["default"]["ENGINE"] = "tend.core.sqlite"
    # WAL lets the worker and the web server read and write side by side.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if TESTING else 60

# Each server process keeps its own: what is cached is keyed by tokens the database changes
# (``health.summary_token``), so no process serves another's stale entry and nothing needs
# setting up. Sessions do not live here.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "tend",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["tend.accounts.backends.ThrottledModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["tend.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static" if PRODUCTION else None

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Compressed copies (gzip and brotli) are written once, at collectstatic; source maps are only
# read by developers' tools and are the largest files (seconds of brotli each).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    *("jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br"),
    *("woff", "woff2", "ttf", "otf", "mp4", "webm", "map"),
)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tend@localhost")

# Uploaded and generated files (case attachments, market-check photos, captured mail
# attachments, PDFs kept on disk): served only through views that check who may see them;
# backed up with the database.
# Covering indexes (INCLUDE) are PostgreSQL's; SQLite builds them on the key columns alone, which
# is what its planner needs there. The warning says nothing we do not know.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

MEDIA_ROOT = Path(env_str("TEND_MEDIA_ROOT", str(DATA_DIR / "media"))).resolve()
MEDIA_URL = "media/"
# Nightly backups by `tend worker` when a folder is set; `tend backup` any time.
TEND_BACKUP_DIR = env_str("TEND_BACKUP_DIR")
TEND_BACKUP_KEEP_DAILY = env_int("TEND_BACKUP_KEEP_DAILY", 7)
TEND_BACKUP_KEEP_MONTHLY = env_int("TEND_BACKUP_KEEP_MONTHLY", 12)
TEND_BACKUP_HOUR = env_int("TEND_BACKUP_HOUR", 2)
# A periodic job or background import whose worker died is taken up again after this long.
TEND_JOB_LEASE_SECONDS = env_int("TEND_JOB_LEASE_SECONDS", 30 * 60)
# /healthz answers 503 when no worker has been seen for this many minutes.
TEND_HEALTHZ_WORKER_MINUTES = env_int("TEND_HEALTHZ_WORKER_MINUTES", 15)

# Background work: tasks are queued in the database and run, with the periodic jobs, by
# `tend worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# One line per event (tend.ops.logs): text, or JSON with TEND_LOG_FORMAT=json; each request
# once (tend.request, INFO), with its request id, user and duration.
TEND_LOG_FORMAT = env_str("TEND_LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "tend.ops.logs.ContextFilter"},
        "django_request": {"()": "tend.ops.logs.DjangoRequestFilter"},
    },
    "formatters": {
        "line": {
            "()": "tend.ops.logs.JsonFormatter"
            if TEND_LOG_FORMAT == "json"
            else "tend.ops.logs.TextFormatter"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # Django's own console handler (in DEBUG) would print every record a second time through
    # the root's: one handler for Django's records.
    "loggers": {
        "django": {
            "handlers": ["console"],
            "level": env_str("LOG_LEVEL", "WARNING"),
            "propagate": False,
        },
        # The request line says each 4xx/5xx already; only tracebacks pass from here.
        "django.request": {
            "handlers": ["console"],
            "filters": ["django_request"],
            "level": env_str("LOG_LEVEL", "WARNING"),
            "propagate": False,
        },
        "django.server": {"handlers": [], "propagate": False},  # runserver's own request line
    },
}

# Tend's own rules, each overridable from the environment.
TEND_LOGIN_MAX_FAILURES = env_int("TEND_LOGIN_MAX_FAILURES", 10)
TEND_LOGIN_WINDOW_MINUTES = env_int("TEND_LOGIN_WINDOW_MINUTES", 15)
TEND_LOGIN_LOCK_MINUTES = env_int("TEND_LOGIN_LOCK_MINUTES", 15)
TEND_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("TEND_LOGIN_MAX_FAILURES_PER_ADDRESS", 30)
TEND_LOGIN_MAX_FAILURES_PER_ACCOUNT = env_int("TEND_LOGIN_MAX_FAILURES_PER_ACCOUNT", 50)
# The header a trusted reverse proxy sets to the client's address (e.g. X-Forwarded-For);
# empty: REMOTE_ADDR. Set it only behind such a proxy, or clients choose their own address.
TEND_CLIENT_IP_HEADER = env_str("TEND_CLIENT_IP_HEADER")
TEND_PAGE_SIZE = env_int("TEND_PAGE_SIZE", 50)
# Pages rendered at once per server process (tend.core.gate): about the cores' worth of Python
# a process gets; its other threads wait, or serve static files.
TEND_PAGE_CONCURRENCY = env_int("TEND_PAGE_CONCURRENCY", 2)
TEND_MAX_OWNED_CUSTOMERS = env_int("TEND_MAX_OWNED_CUSTOMERS", 300)
# The largest file an import accepts; a larger request body is refused with a 413.
TEND_MAX_UPLOAD_BYTES = env_int("TEND_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
TEND_BASE_CURRENCY = env_str("TEND_BASE_CURRENCY", "USD")
# Contact cadence per tier, in days (seed 003: weekly, bi-weekly, monthly).
TEND_CADENCE_DAYS = {
    "A": env_int("TEND_CADENCE_A", 7),
    "B": env_int("TEND_CADENCE_B", 14),
    "C": env_int("TEND_CADENCE_C", 30),
}
# Tiers from value (market): ABC cut-offs as cumulative shares of the last 12 months' revenue
# (A: the customers making the top 80%, B: the next 15%, C: the rest), and whether the nightly
# job applies the proposed tiers itself (otherwise a manager applies them on the tiers page).
TEND_ABC_CUTOFFS = (80, 95)
TEND_TIERS_AUTO_APPLY = env_bool("TEND_TIERS_AUTO_APPLY", False)
# Days without an outbound touch before an owned customer returns to the pool; a tier left
# out uses 3 x its cadence.
TEND_POOL_RETURN_DAYS: dict[str, int] = {}
TEND_POOL_WARNING_DAYS = env_int("TEND_POOL_WARNING_DAYS", 7)
# Working hours used to measure response times (local to each person), and weekend days
# (Monday = 0).
TEND_WORKDAY_START = env_int("TEND_WORKDAY_START", 9)
TEND_WORKDAY_END = env_int("TEND_WORKDAY_END", 18)
TEND_WEEKEND_DAYS = frozenset(int(d) for d in env_list("TEND_WEEKEND_DAYS", "5,6"))
TEND_INQUIRY_ALERT_HOURS = env_int("TEND_INQUIRY_ALERT_HOURS", 24)
TEND_PROMISE_GRACE_WORKING_DAYS = env_int("TEND_PROMISE_GRACE_WORKING_DAYS", 1)
# Clocks differ: an interaction logged a few minutes "in the future" is accepted.
TEND_FUTURE_TOLERANCE = timedelta(minutes=10)
TEND_AGENDA_ROWS = env_int("TEND_AGENDA_ROWS", 50)
# Where people reach Tend: links in emails and calendar feeds.
TEND_BASE_URL = env_str("TEND_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The daily digest goes out at this local hour on working days, until the end of the workday.
TEND_DIGEST_HOUR = env_int("TEND_DIGEST_HOUR", 8)
TEND_DIGEST_ROWS = env_int("TEND_DIGEST_ROWS", 10)
# Seconds `tend worker` rests between passes when there is nothing to do.
TEND_WORKER_INTERVAL = env_int("TEND_WORKER_INTERVAL", 5)
# A late order needs a customer update, again every N days while it stays late.
TEND_DELAY_UPDATE_EVERY_DAYS = env_int("TEND_DELAY_UPDATE_EVERY_DAYS", 7)
# Uploads larger than this are checked and imported by the worker, with a progress bar.
TEND_IMPORT_BACKGROUND_BYTES = env_int("TEND_IMPORT_BACKGROUND_BYTES", 2 * 1024 * 1024)
# The exporter, as printed on order confirmations.
# Customer voice: how often a contact or a company may be surveyed, how long a link lives, and
# the relationship survey's rhythm per tier (days).
TEND_VOICE_CONTACT_GAP_DAYS = env_int("TEND_VOICE_CONTACT_GAP_DAYS", 90)
TEND_VOICE_COMPANY_GAP_DAYS = env_int("TEND_VOICE_COMPANY_GAP_DAYS", 90)
TEND_VOICE_LINK_DAYS = env_int("TEND_VOICE_LINK_DAYS", 14)
TEND_VOICE_DELIVERY_WINDOW_DAYS = env_int("TEND_VOICE_DELIVERY_WINDOW_DAYS", 14)
TEND_VOICE_RELATIONSHIP_BATCH = env_int("TEND_VOICE_RELATIONSHIP_BATCH", 200)
TEND_VOICE_RHYTHM_DAYS = {
    "A": env_int("TEND_VOICE_RHYTHM_A", 180),
    "B": env_int("TEND_VOICE_RHYTHM_B", 365),
    "C": env_int("TEND_VOICE_RHYTHM_C", 365),
}
# Encrypts stored mailbox passwords; when empty a key is derived from SECRET_KEY.
TEND_CAPTURE_KEY = env_str("TEND_CAPTURE_KEY", "")
# How often the worker fetches the IMAP mailboxes.
TEND_CAPTURE_FETCH_MINUTES = env_int("TEND_CAPTURE_FETCH_MINUTES", 5)
# A certificate authority to trust besides the system's (a company IMAP server's own).
TEND_CAPTURE_CA_FILE = env_str("TEND_CAPTURE_CA_FILE", "")
# An uploaded mbox of more messages than this is filed by the worker, with a progress page.
TEND_CAPTURE_INLINE_MESSAGES = env_int("TEND_CAPTURE_INLINE_MESSAGES", 2000)

TEND_COMPANY_NAME = env_str("TEND_COMPANY_NAME", "Your Company Ltd.")
TEND_COMPANY_ADDRESS = env_str("TEND_COMPANY_ADDRESS", "")
TEND_COMPANY_EMAIL = env_str("TEND_COMPANY_EMAIL", "")
TEND_COMPANY_PHONE = env_str("TEND_COMPANY_PHONE", "")
