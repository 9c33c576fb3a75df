"""Settings for every environment, read from the environment in this one place.

Code reads ``django.conf.settings``, never ``os.environ``. Production hardening lives in
``config.settings.production``, which builds on this module.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from config.databases import replica_databases

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# A development key is only acceptable while DEBUG is on; anything else must set one.
_DEVELOPMENT_SECRET_KEY = "dateline-development-only-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY in the environment (or DEBUG=true for development).")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "archive",
    "search",
    "moderation",
    "django.contrib.sitemaps",
    # Security: a Content-Security-Policy header (django-csp) and brute-force protection of
    # every sign-in form (django-axes); see "Security" below.
    "csp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as its documentation asks: it turns a locked-out sign-in into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# postgres://user@host:5432/name for PostgreSQL; the default is a SQLite file under var/.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'dateline.sqlite3'}"),
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)  # the embedded default must work on a fresh clone
    # WAL lets readers carry on while an ingest writes; the timeout rides out short locks;
    # IMMEDIATE transactions take the write lock up front, so two writing processes queue
    # instead of failing with "database is locked" when a read would turn into a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
# A connection kept between requests: opening one was about a twentieth of a search page on
# SQLite (connect, the WAL pragma, Django's functions registered, then close), and a round
# trip or more on PostgreSQL. Between requests no transaction is open, so a kept SQLite
# connection holds back neither writers nor the WAL's checkpoints.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

# PostgreSQL streaming replicas of DATABASE_URL, comma-separated URLs naming the same
# database: public pages read the archive and the search index from one of them, everything
# else stays on the primary (config/routers.py says what goes where and why).
DATABASES |= replica_databases(env.list("DATABASE_REPLICA_URLS", default=[]), DATABASES["default"])
DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]
MIDDLEWARE += ["config.routers.ReplicaReadsMiddleware"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out username and address before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True  # stored in UTC, shown in TIME_ZONE

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")

# Search: which backend answers queries, and where an on-disk index lives.
SEARCH_BACKEND = env.str("SEARCH_BACKEND", default="whoosh")
SEARCH_INDEX_DIR = env.path("SEARCH_INDEX_DIR", default=VAR_DIR / "index")
# Apply index changes right after each commit (off: leave them to `manage.py sync_index`).
SEARCH_SYNC_ON_COMMIT = env.bool("SEARCH_SYNC_ON_COMMIT", default=True)
# How long a process waits for the embedded index's single writer lock.
SEARCH_WRITER_TIMEOUT = env.float("SEARCH_WRITER_TIMEOUT", default=30.0)
# How long a portal search's log row may wait in its process to be written with others
# (search.insight.SearchLogBuffer); 0 writes each at once.
SEARCH_LOG_FLUSH_SECONDS = env.float("SEARCH_LOG_FLUSH_SECONDS", default=5.0)

# Where `ingest` logs the records it rejected, one JSON Lines file a run.
INGEST_REJECTED_DIR = env.path("INGEST_REJECTED_DIR", default=VAR_DIR / "rejected")

# Pages of article lists.
ARTICLES_PER_PAGE = env.int("ARTICLES_PER_PAGE", default=20)

# Places: a process rebuilds its in-memory gazetteer at the latest this many seconds after it
# was built, so region edits made in another process (the admin) reach long-running ones.
GAZETTEER_MAX_AGE = env.int("GAZETTEER_MAX_AGE", default=300)
# Where a process leaves the gazetteer it built for the next one (archive.gazetteer_file):
# read back in a fifth of the second a build takes. Empty: every process builds its own
# (read as a string: env.path would make "" the working directory).
_gazetteer_cache_dir = env.str("GAZETTEER_CACHE_DIR", default=str(VAR_DIR / "cache"))
GAZETTEER_CACHE_DIR = Path(_gazetteer_cache_dir) if _gazetteer_cache_dir else None

# Reader comments (moderation app). Limits are per rolling window, counted in the database,
# so they hold on SQLite and PostgreSQL alike with no cache server.
COMMENT_BODY_MIN_LENGTH = env.int("COMMENT_BODY_MIN_LENGTH", default=2)
COMMENT_BODY_MAX_LENGTH = env.int("COMMENT_BODY_MAX_LENGTH", default=3000)
# A form posted sooner than this after it was served is a bot's; later than the age, stale.
COMMENT_MIN_SECONDS = env.float("COMMENT_MIN_SECONDS", default=4.0)
COMMENT_FORM_MAX_AGE = env.int("COMMENT_FORM_MAX_AGE", default=4 * 60 * 60)
COMMENT_RATE_WINDOW = env.int("COMMENT_RATE_WINDOW", default=10 * 60)
COMMENT_RATE_LIMIT_PER_IP = env.int("COMMENT_RATE_LIMIT_PER_IP", default=5)
COMMENT_RATE_LIMIT_PER_EMAIL = env.int("COMMENT_RATE_LIMIT_PER_EMAIL", default=3)
# Proxies in front of the site that append to X-Forwarded-For (0: use the peer address).
COMMENT_TRUSTED_PROXIES = env.int("COMMENT_TRUSTED_PROXIES", default=0)
COMMENTS_PER_QUEUE_PAGE = env.int("COMMENTS_PER_QUEUE_PAGE", default=25)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Curation (archive.curation, the admin): how many best matches the admin's search box takes
# from the search backend (titles and URLs are matched in the database as well).
ADMIN_SEARCH_LIMIT = env.int("ADMIN_SEARCH_LIMIT", default=500)

# Change history of articles (django-simple-history): the middleware records who made a change.
INSTALLED_APPS += ["simple_history"]
MIDDLEWARE += ["simple_history.middleware.HistoryRequestMiddleware"]

# The public read API (api/): Django REST framework, its OpenAPI schema (drf-spectacular,
# with Swagger UI served from our own static files: no CDN) and CORS, off unless origins are
# listed.
INSTALLED_APPS += [
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "api",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware"),
    "corsheaders.middleware.CorsMiddleware",
)
CORS_ALLOWED_ORIGINS = env.list("API_CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Read-only and anonymous: no sessions, so no CSRF to carry; staff use the admin.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    # DRF's AnonRateThrottle keyed by the client's address as moderation.addresses reads it.
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonymousClientThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="120/minute"),
        "comments": env.str("API_COMMENT_RATE", default="10/hour"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dateline API",
    "DESCRIPTION": "Read the news archive: articles, search, tags, places, outlets; post comments.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Swagger UI would otherwise send the schema's address to validator.swagger.io for a badge.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
}
# Rows in a CSV export of a search's results (API and portal).
SEARCH_EXPORT_LIMIT = env.int("SEARCH_EXPORT_LIMIT", default=1000)

# Security, in every environment (production adds HTTPS, HSTS and secure cookies). The same
# headers in development and tests mean a page that breaks under them breaks there first.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads the CSRF cookie: forms carry the token in a hidden field.
CSRF_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp): scripts and styles only from our own static files, never
# inline (no 'unsafe-inline'), no plugins, no framing, forms post only to us. data: images are
# the icons Swagger UI's stylesheet embeds.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Brute-force protection of the admin's and the moderation queue's sign-in (django-axes): after
# AXES_FAILURE_LIMIT failed attempts for one username from one address, that pair is refused
# (429) until AXES_COOLOFF_MINUTES have passed since the last failure, or `manage.py axes_reset`.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/locked_out.html"
# The address as the comment rate limits see it (COMMENT_TRUSTED_PROXIES): one rule for both.
AXES_CLIENT_IP_CALLABLE = "moderation.addresses.client_ip"
# Lockouts are logged either way; this only silences the start-up banner in every command.
AXES_VERBOSE = False
