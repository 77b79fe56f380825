"""Settings of the packing server, read from environment variables with safe defaults.

Embedded default: SQLite under ``var/`` and the in-memory channel layer, so one command runs the
whole product on a laptop. ``DATABASE_URL`` switches to PostgreSQL (Django's built-in pool,
``CONN_MAX_AGE = 0``: ASGI runs each request in its own thread and persistent per-thread
connections exhausted PostgreSQL's slots). ``REDIS_URL`` switches the channel layer to Redis,
which is required as soon as more than one server process runs.
"""

import os
from importlib.util import find_spec
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PACKER_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    """Read a yes/no environment variable; anything but 1/true/yes/on is false."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


DEBUG = env_bool("DEBUG", True)
# The development key is only ever used with DEBUG on; packer.production refuses to start without
# a real SECRET_KEY.
SECRET_KEY = os.environ.get(
    "SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # daphne makes `runserver` serve WebSockets (bin/run); it must precede staticfiles
    # (daphne.E001). It is a development tool (dependency group "runserver"): production runs
    # uvicorn and its image has no daphne.
    *(["daphne"] if find_spec("daphne") else []),
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files, no CDN
    "django_filters",
    "django_htmx",
    "simple_history",
    "import_export",
    "axes",
    "profiles",
    "sessions.apps.PackingSessionsConfig",
    "stats",
]

MIDDLEWARE = [
    # First: the client's address (X-Forwarded-* only from PACKER_TRUSTED_PROXIES).
    "packer.proxies.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "packer.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must be last: it turns locked-out logins into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "packer.urls"
WSGI_APPLICATION = "packer.wsgi.application"
ASGI_APPLICATION = "packer.asgi.application"

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
                "sessions.web.context.navigation",
            ],
        },
    },
]


def database_from_env():
    """Build DATABASES['default'] from DATABASE_URL, or the embedded SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        db = dj_database_url.parse(url, conn_max_age=0)
        if db["ENGINE"] == "django.db.backends.postgresql":
            db.setdefault("OPTIONS", {})
            if env_bool("DATABASE_POOL", True):
                db["OPTIONS"]["pool"] = {
                    "min_size": env_int("DATABASE_POOL_MIN", 1),
                    "max_size": env_int("DATABASE_POOL_MAX", 20),
                    "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
                }
            # With the pool, Django passes psycopg_pool's check_connection: a pooled
            # connection is checked (one empty query) before it is handed out, so after a
            # PostgreSQL restart a dead one is replaced and a request waits (up to the pool
            # timeout) for the server instead of failing with a 500.
            db["CONN_HEALTH_CHECKS"] = env_bool("DATABASE_HEALTH_CHECKS", True)
            db["CONN_MAX_AGE"] = 0
        elif db["ENGINE"] == "django.db.backends.sqlite3":
            db["OPTIONS"] = sqlite_options()
        return db
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "packer.sqlite3")),
        "OPTIONS": sqlite_options(),
        "TEST": {"NAME": os.environ.get("SQLITE_TEST_PATH") or None},
    }


def sqlite_options():
    """IMMEDIATE transactions + WAL + a busy timeout: writers queue instead of losing updates.

    ``select_for_update`` is a no-op on SQLite; BEGIN IMMEDIATE is what serialises scans.
    """
    return {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
# Which channels_redis layer carries live updates between processes (bench/README.md, issue 9):
# "pubsub" (default: one PUBLISH per group, each process fans it out to its own sockets; at
# most once, which suits live screens: a socket that misses one re-reads on reconnect) or
# "core" (a Redis list per socket: one Redis round trip per socket per message).
CHANNEL_LAYER_BACKENDS = {"pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
                          "core": "channels_redis.core.RedisChannelLayer"}
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": CHANNEL_LAYER_BACKENDS[os.environ.get("CHANNEL_LAYER", "pubsub")],
            "CONFIG": {"hosts": [REDIS_URL], "prefix": os.environ.get("REDIS_PREFIX", "packer")},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username/IP before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "profiles.auth.BadgeBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): five wrong passwords lock the username from that address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("uk", _("Ukrainian")), ("bg", _("Bulgarian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Sofia")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # DRF's TokenAuthentication, reading the user's floor role in the same query.
        "sessions.api.authentication.RoleTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSON parser with a nesting, NUL and NaN guard (sessions/jsontext.py); forms as DRF.
    "DEFAULT_PARSER_CLASSES": [
        "sessions.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "sessions.api.errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Packing floor server API",
    "DESCRIPTION": "Stations, imports, claims, scans, reports and metrics of the packing server.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two models have a `status` with their own choices: name their enums after the model.
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "sessions.models.Order.Status",
        "ListStatusEnum": "sessions.models.PackingList.Status",
    },
}

# --- Import limits, API tokens, sign-in throttling (issue 12) -----------------------------------
# Per import (file, zip or API push): a 400 that saves nothing when passed (README, "Limits").
PACKER_IMPORT_MAX_ORDERS = env_int("PACKER_IMPORT_MAX_ORDERS", 50_000)
PACKER_IMPORT_MAX_LINES = env_int("PACKER_IMPORT_MAX_LINES", 200_000)
# A zip member (xlsx or session zip) over 1 MB compressed more than this is a likely bomb.
PACKER_IMPORT_MAX_RATIO = env_int("PACKER_IMPORT_MAX_RATIO", 100)
# GET /api/v1/lists/{id}/orders/: orders per page (default and maximum; Link header for more).
PACKER_API_ORDERS_PAGE_MAX = env_int("PACKER_API_ORDERS_PAGE_MAX", 1000)
# An API token lives this long after it was issued (profiles/tokens.py); then 401, sign in again.
PACKER_API_TOKEN_HOURS = env_int("PACKER_API_TOKEN_HOURS", 24)
# Proxies whose X-Forwarded-For / -Proto are believed (addresses or networks, comma-separated):
# the sign-in lockout counts per client address (packer/proxies.py). Default: a proxy on this
# host. Compose sets the network Caddy reaches the web service from.
PACKER_TRUSTED_PROXIES = env_list("PACKER_TRUSTED_PROXIES", ["127.0.0.1", "::1"])
# Sign-in failures count per username (password, PIN) or per badge, and address (profiles/auth.py).
AXES_USERNAME_CALLABLE = "profiles.auth.lockout_name"
# Axes keeps the failed form in its records: never a PIN or a badge (they are credentials).
AXES_SENSITIVE_PARAMETERS = ["pin", "badge"]
# import_legacy reads no share file larger than this (the old apps' largest are a few MB; a
# 200 MB state file took the run to 2.1 GB): it is reported as a problem instead.
PACKER_LEGACY_MAX_FILE_BYTES = env_int("PACKER_LEGACY_MAX_FILE_BYTES", 16_000_000)
# --- end of import limits, API tokens, sign-in throttling --------------------------------------

# Packing floor rules (../shared/design.md, Claims instead of lock files).
PACKER_HEARTBEAT_SECONDS = env_int("PACKER_HEARTBEAT_SECONDS", 30)
PACKER_STALE_AFTER_SECONDS = env_int("PACKER_STALE_AFTER_SECONDS", 120)
# The floor's station cards and summary (pace, waiting lists, couriers, alerts) are read across
# lists: a server process sends them at most once per this many milliseconds, for all the changes
# of that window together (sessions.live.publish), so a scan never pays for them. 0: after every
# change. A list's own row still goes out at once.
PACKER_FLOOR_UPDATE_MS = env_int("PACKER_FLOOR_UPDATE_MS", 1000)
# What the station strips from a scanner's codes, and when the same code twice is one read.
PACKER_SCANNER_STRIP_AIM = env_bool("PACKER_SCANNER_STRIP_AIM", True)
PACKER_SCANNER_STRIP_GS = env_bool("PACKER_SCANNER_STRIP_GS", True)
PACKER_SCANNER_DOUBLE_FIRE_MS = env_int("PACKER_SCANNER_DOUBLE_FIRE_MS", 150)
# After a supervisor force-releases a list, the released station (and worker) may claim it
# again only after this long, or at once with a supervisor's approval.
PACKER_RELEASE_COOLDOWN_SECONDS = env_int("PACKER_RELEASE_COOLDOWN_SECONDS", 600)
# The floor view (issue 14): an order open longer than this raises an alert; a station holding
# no list and silent for this long shows as offline; a courier whose projected finish comes
# within PACKER_CUTOFF_AT_RISK_MINUTES of its pick-up is "at risk".
PACKER_ORDER_OPEN_ALERT_MINUTES = env_int("PACKER_ORDER_OPEN_ALERT_MINUTES", 10)
PACKER_STATION_OFFLINE_MINUTES = env_int("PACKER_STATION_OFFLINE_MINUTES", 30)
PACKER_CUTOFF_AT_RISK_MINUTES = env_int("PACKER_CUTOFF_AT_RISK_MINUTES", 15)
PACKER_IMPORT_MAX_BYTES = env_int("PACKER_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# A zipped Shopify Tool session may unpack to at most this much (zip-bomb guard).
PACKER_IMPORT_MAX_UNPACKED_BYTES = env_int("PACKER_IMPORT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)
# The Shopify Tool's Sessions/ folder on the file server (CLIENT_{ID}/YYYY-MM-DD_N inside);
# empty = importing from server folders is offered only by `manage.py import_list`.
PACKER_SHOPIFY_SESSIONS_ROOT = os.environ.get("PACKER_SHOPIFY_SESSIONS_ROOT", "")
PACKER_PRINTER_TIMEOUT_SECONDS = env_int("PACKER_PRINTER_TIMEOUT_SECONDS", 5)
# Outbound webhooks (sessions.outbox, sessions.delivery, `manage.py deliver_webhooks`):
# which clients want which events is re-read after CONFIG seconds (0: at every event); a POST
# gives up after TIMEOUT seconds; a failed delivery is retried after RETRY, 2×RETRY, 4×RETRY …
# seconds (at most RETRY_MAX apart), MAX_ATTEMPTS times in all; the command looks for due
# deliveries every POLL seconds.
PACKER_WEBHOOK_CONFIG_SECONDS = env_int("PACKER_WEBHOOK_CONFIG_SECONDS", 5)
PACKER_WEBHOOK_TIMEOUT_SECONDS = env_int("PACKER_WEBHOOK_TIMEOUT_SECONDS", 10)
PACKER_WEBHOOK_RETRY_SECONDS = env_int("PACKER_WEBHOOK_RETRY_SECONDS", 30)
PACKER_WEBHOOK_RETRY_MAX_SECONDS = env_int("PACKER_WEBHOOK_RETRY_MAX_SECONDS", 3600)
PACKER_WEBHOOK_MAX_ATTEMPTS = env_int("PACKER_WEBHOOK_MAX_ATTEMPTS", 10)
PACKER_WEBHOOK_POLL_SECONDS = env_int("PACKER_WEBHOOK_POLL_SECONDS", 2)

# Command barcodes (the printable command sheet): a scanned code with this prefix is a station
# command (CMD:SKIP …), never an item; the mapping import refuses barcodes that start with it.
PACKER_COMMAND_PREFIX = os.environ.get("PACKER_COMMAND_PREFIX", "CMD:") or "CMD:"
DATA_UPLOAD_MAX_MEMORY_SIZE = PACKER_IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Request body caps (packer/body_limit.py, deploy/Caddyfile) -------------------------------
# Every request body: at most PACKER_BODY_MAX_BYTES (1 MB), answered 413 before it is read.
# Upload endpoints (regular expressions over the path) accept PACKER_IMPORT_MAX_BYTES plus the
# multipart envelope, from signed-in callers only: anonymous bodies never reach the disk.
PACKER_BODY_MAX_BYTES = env_int("PACKER_BODY_MAX_BYTES", 1024 * 1024)
PACKER_UPLOAD_ENVELOPE_BYTES = env_int("PACKER_UPLOAD_ENVELOPE_BYTES", 256 * 1024)
PACKER_UPLOAD_PATHS = env_list("PACKER_UPLOAD_PATHS", [
    r"^/imports/$",  # the web import page
    r"^/api/v1/imports/",  # packing-list JSON and file imports
    r"^/admin/profiles/skumapping/import/$",  # SKU mappings, CSV/XLSX (django-import-export)
])
# --- end of request body caps ------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        # runserver prints its own access line; axes announces itself on every start.
        "django.channels.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
