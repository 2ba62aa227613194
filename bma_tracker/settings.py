"""The one settings module. Every deployment difference comes from environment variables
(listed in .env.example) read by the strict readers in bma_tracker.env."""

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from bma_tracker.env import (
    env_bool,
    env_decimal,
    env_int,
    env_json_object,
    env_list,
    env_quarter_targets,
    env_str,
    load_env_file,
)

BASE_DIR = Path(__file__).resolve().parent.parent
load_env_file(BASE_DIR / ".env")

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off (set DEBUG=1 for development).")
    # Development without a key: a random one per process (sessions end at each restart).
    SECRET_KEY = secrets.token_urlsafe(50)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",  # login throttling and lockout (per account and per address)
    "csp",  # Content-Security-Policy header
    "bma_tracker",
    "projects",
    "indicators",
    "reports",
    "devtools",  # demo data and the benchmark (seed_demo, bench); no product code imports it
    "django_tasks",  # background jobs (DEP 14, Django 6's django.tasks backported): the quarterly book
    "django_tasks_db",  # … stored in our database, run by `manage.py db_worker` processes
    "rest_framework",  # the REST API under /api/v1/ (bma_tracker/api_urls.py)
    "drf_spectacular",  # … its OpenAPI 3 schema at /api/schema/
    "drf_spectacular_sidecar",  # … and the vendored Swagger UI / Redoc assets of /api/docs/ (no CDN)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "bma_tracker.security.PrivateResponsesMiddleware",  # Cache-Control: private, no-store when signed in
    "django.contrib.messages.middleware.MessageMiddleware",
    "bma_tracker.security.RefuseNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "bma_tracker.dbrouter.ReplicaForReadPagesMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bma_tracker.urls"
WSGI_APPLICATION = "bma_tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["bma_tracker.templatetags.thai"],
        },
    }
]

# The embedded default is an SQLite file inside the project; DATABASE_URL=postgres://… for PostgreSQL.
DATABASE_URL = env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL I can read: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while a report is being saved; the timeout rides out short write locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A kept connection is checked (one SELECT 1 before the request's first query) when a new
# request takes it up: one that PostgreSQL closed meanwhile (restarted, pg_terminate_backend, an
# idle timeout in a pooler) is replaced before the request uses it, instead of failing it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DB_CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend that also replaces a connection the server closed in the middle of a
    # request (between two queries) and waits for a restarting server: bma_tracker/postgresql.
    DATABASES["default"]["ENGINE"] = "bma_tracker.postgresql"
# Seconds a new connection waits for a PostgreSQL that refuses or is restarting (0: fail at once).
DB_CONNECT_WAIT_SECONDS = env_int("DB_CONNECT_WAIT_SECONDS", 5, minimum=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "projects.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "th"
LANGUAGES = [("th", "ไทย"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded evidence files (projects.evidence) go through Django's storage API: the file system
# under MEDIA_ROOT by default; several app servers share one store, e.g. an S3-compatible one
# through django-storages (README, "Evidence files"): MEDIA_STORAGE_BACKEND names the class,
# MEDIA_STORAGE_OPTIONS (a JSON object) its options.
MEDIA_STORAGE_BACKEND = env_str("MEDIA_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage")
MEDIA_STORAGE_OPTIONS = env_json_object("MEDIA_STORAGE_OPTIONS")
STORAGES = {
    "default": {"BACKEND": MEDIA_STORAGE_BACKEND, "OPTIONS": MEDIA_STORAGE_OPTIONS},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

REDIS_URL = env_str("REDIS_URL")
# Redis only saves work: when it does not answer, cache reads are misses and writes are dropped
# (bma_tracker/redis_cache.py), sessions come from the database, and after a failure a process
# leaves Redis alone for REDIS_RETRY_SECONDS. REDIS_TIMEOUT_MS bounds each connect and command.
_redis_timeout = env_int("REDIS_TIMEOUT_MS", 1000, minimum=10) / 1000
CACHES = {
    "default": {
        "BACKEND": "bma_tracker.redis_cache.ReusedClientRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "retry_seconds": env_int("REDIS_RETRY_SECONDS", 5, minimum=1),
            "socket_connect_timeout": _redis_timeout,
            "socket_timeout": _redis_timeout,
        },
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Template fragments the same for every reader in a language ({% cache ... using="fragments" %}),
    # kept in each process: the page's chrome (base.html: static URLs, links, labels), which only a
    # deployment (new static files, URLs or translations, and with them new processes) changes;
    # and the blank monthly report form of each day (projects/form_progress.html).
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"},
}

# Rendered project pages, their PDFs and the dashboards' figures are cached under keys made of
# revisions the database moves on with every change (bma_tracker/caching.py): correct in a
# per-process cache too, so they are cached with or without REDIS_URL. The timeout only gives
# memory back (the day is part of every key anyway); 0 turns the caching off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 24 * 3600, minimum=0)

# The public site (/public/, issue 22): how long browsers and proxies may keep a page or a
# download before asking again (Cache-Control: public, max-age); they then ask with the ETag
# and get a 304 while nothing changed.
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 300, minimum=0)
# The licence of the open-data downloads (data.go.th's licence ids, reports/opendata.py LICENCES).
OPEN_DATA_LICENCE = env_str("OPEN_DATA_LICENCE", "cc-by-4.0")
if OPEN_DATA_LICENCE not in ("cc-by-4.0", "cc0-1.0", "odc-by-1.0", "odbl-1.0"):
    raise ImproperlyConfigured(
        f"OPEN_DATA_LICENCE={OPEN_DATA_LICENCE!r} is not one of cc-by-4.0, cc0-1.0, odc-by-1.0, odbl-1.0."
    )

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Flash messages ("saved") travel in a signed cookie (Django's default, falling back to the
# session when too long): a save does not also write the session row, and neither does the
# page that shows the message.
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"

# Domain settings
# A project is "behind" when its actual percent trails the planned percent by more than this.
SCHEDULE_BEHIND_MARGIN = env_decimal("SCHEDULE_BEHIND_MARGIN", "10")
# The disbursement plan: the share of a project's budget (after transfers) to be disbursed by
# the end of each quarter, cumulative percent. The default is the Thai government's overall
# target (cabinet resolutions for the annual budget: 32 / 54 / 77 / 100); the planning office
# sets another one for a fiscal year with "32,54,77,100;2569=30,52,75,100".
DISBURSEMENT_TARGETS = env_quarter_targets("DISBURSEMENT_TARGETS", "32,54,77,100")
# Size limits on free text (characters); forms and the importer enforce them.
MAX_NARRATIVE_CHARS = env_int("MAX_NARRATIVE_CHARS", 5000, minimum=100)
MAX_LONG_TEXT_CHARS = env_int("MAX_LONG_TEXT_CHARS", 20000, minimum=100)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Evidence files: the largest accepted (MB) and how many one report or indicator quarter holds.
# Files over FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to a temporary file, not held in memory;
# the front proxy's body limit (nginx client_max_body_size) should be a little over EVIDENCE_MAX_MB.
EVIDENCE_MAX_MB = env_int("EVIDENCE_MAX_MB", 10, minimum=1)
EVIDENCE_MAX_FILES = env_int("EVIDENCE_MAX_FILES", 10, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools narrate every rendering step at INFO.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "axes")},
}

# --- Production: HTTPS, cookies, headers (issue 7) ---------------------------------------
# Every switch defaults to the secure value when DEBUG is off. `make serve` and `make loadtest`
# run over plain HTTP on 127.0.0.1 and turn SECURE_SSL_REDIRECT and SECURE_COOKIES off.
_PRODUCTION = not DEBUG
# Behind a reverse proxy that terminates TLS: the header it sets, e.g. HTTP_X_FORWARDED_PROTO
# (its value must be "https"). Only set it when the proxy always overwrites that header.
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https")
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", default=False)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=_PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer probes over plain HTTP
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=_PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if _PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=_PRODUCTION)
# Preloading is a promise to browsers that is slow to take back: opt in deliberately.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: scripts only from our own static files (no inline <script>, no on*=
# handlers; data for charts travels in json_script blocks, which are not executed). Styles allow
# 'unsafe-inline' because plotly.js draws charts with inline style attributes and <style> tags;
# images allow data: for Bootstrap's inline SVG icons.
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF, "'unsafe-inline'"],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
    }
}

# Sessions: 8 working hours by default. With Redis (several app servers) sessions are cached in
# it; without, in the database only: a per-process cache would keep a logged-out session alive
# in the other worker processes.
SESSION_ENGINE = env_str(
    "SESSION_ENGINE",
    default="django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db",
)
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 8, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)

# Login protection (django-axes): after AXES_FAILURE_LIMIT failed logins for one username, or
# AXES_ADDRESS_FAILURE_LIMIT from one address, further attempts are refused for
# AXES_COOLOFF_MINUTES. Unknown usernames count like real ones, so the lockout page says nothing about whether an account exists.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "projects.backends.UserWithUnitBackend",  # Django's ModelBackend, the unit loaded with the user
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
# An address is shared by a whole office: more failures for it, from any accounts, before it locks.
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
# The order matters to bma_tracker.security.LockoutHandler: the account first, then the address.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each one alone locks, not the pair
AXES_HANDLER = "bma_tracker.security.LockoutHandler"
# Not axes' reset, which clears every account's failures from the address: the handler clears
# only the signed-in account's own (see bma_tracker/security.py).
AXES_RESET_ON_SUCCESS = False
AXES_USERNAME_CALLABLE = "bma_tracker.security.login_name"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "bma_tracker.security.client_ip"
AXES_VERBOSE = False
# How many reverse proxies append to X-Forwarded-For in front of the app (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# Password reset (projects.forms.PasswordResetForm): requests an hour from one address, and mails
# an hour to one account; beyond them the same neutral page, and no mail. Counted in the database.
PASSWORD_RESET_ADDRESS_LIMIT = env_int("PASSWORD_RESET_ADDRESS_LIMIT", 10, minimum=1)
PASSWORD_RESET_ACCOUNT_LIMIT = env_int("PASSWORD_RESET_ACCOUNT_LIMIT", 3, minimum=1)

# Password reset mails (and any other): printed to the console unless an SMTP host is set.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="bma-tracker@localhost")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
# Where the app is reached, for the links in mails (no request to take the host from).
SITE_URL = env_str("SITE_URL", default="http://127.0.0.1:8000")
# Daily reminder mails (manage.py send_reminders): staff are told from this many days before a
# report is due, and every day once it is late.
REMINDER_DAYS_AHEAD = env_int("REMINDER_DAYS_AHEAD", 3, minimum=0)

# A read replica (optional): the dashboards read from it (bma_tracker.dbrouter); writes, logins
# and sessions stay on the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    try:
        DATABASES["replica"] = dj_database_url.parse(
            DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"].get("CONN_MAX_AGE", 0)
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URL is not a database URL I can read: {exc}") from None
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_HEALTH_CHECKS"]
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"]["ENGINE"] = DATABASES["default"]["ENGINE"]
    DATABASE_ROUTERS = ["bma_tracker.dbrouter.ReplicaRouter"]

# --- Background jobs (issue 6: the quarterly book) ------------------------------------------
# Jobs are rows in our own database (SQLite or PostgreSQL): no extra server. Run one or more
# `python manage.py db_worker` processes, on this machine or any machine that reaches the same
# database; each claims queued jobs with a row lock, so workers can be added or stopped freely.
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}
# Processes that render a big quarterly book in parallel inside one job (1: in the job's process).
BOOK_PROCESSES = env_int("BOOK_PROCESSES", 2, minimum=1)

# --- The REST API (issue 22): /api/v1/, schema at /api/schema/, documentation at /api/docs/ ---
# Personal tokens (Authorization: Bearer …, projects.tokens) or the browser's session with its
# CSRF token; either acts with exactly its user's role and unit. Requests are counted per token
# (per user for a session) in the default cache: shared with REDIS_URL; without it each worker
# process counts on its own, so the effective limit is the rate times the number of workers.
API_RATE_PER_MINUTE = env_int("API_RATE_PER_MINUTE", 120, minimum=1)
# A token lives API_TOKEN_DAYS by default, at most API_TOKEN_MAX_DAYS.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90, minimum=1)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365, minimum=1)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "projects.tokens.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",  # enforces CSRF on writes
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["bma_tracker.api.PerTokenThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],  # the body: DATA_UPLOAD_MAX_MEMORY_SIZE
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "bma_tracker.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "bma_tracker API",
    "DESCRIPTION": "Projects, monthly progress, indicators and dashboard figures of the Bangkok Metropolitan "
    "Administration. Authenticate with a personal token (Authorization: Bearer …) made on /accounts/tokens/.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from an online validator: the documentation page makes no request off the machine.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True},
}
