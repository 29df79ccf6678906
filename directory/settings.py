"""The one settings module: production-safe defaults, read from environment variables.

Development (`DEBUG=true`) gets small overrides; the test run uses tests/settings.py, which
imports this module and overrides what tests need. Nothing secret lives in the repository.
"""

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}.") from None


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-only-for-debug-0123456789abcdef"
    else:
        raise ImproperlyConfigured("Set the SECRET_KEY environment variable (or DEBUG=true).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "directory",
    "activities",
    "venues",
    "referrals",
    "openreferral",
    "rest_framework",
    "wagtail.contrib.redirects",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
]

MIDDLEWARE = [
    # First: load balancers probe /healthz by address over HTTP (directory/health.py).
    "directory.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "directory.headers.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous public GETs may read from DATABASE_REPLICA_URL (directory/dbrouter.py), and are
    # answered from the page cache when it has them (directory/caching.py): before the session.
    "directory.dbrouter.ReplicaMiddleware",
    "directory.caching.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "directory.timeouts.StatementTimeoutMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "directory.signin.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into our 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "directory.urls"
WSGI_APPLICATION = "directory.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "activities.shortlist.context_processors.shortlist_context",
            ],
        },
    },
]

# DATABASE_URL picks the database; the default is an SQLite file in the project.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several threads or processes writing at once (a burst of form posts) wait for the write
    # lock instead of failing with "database is locked": every transaction takes the lock when it
    # starts (IMMEDIATE), a writer waits up to 20 s for it, and readers never block writers (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
# PostgreSQL's JIT compiler is for long reports: on this site's short queries (a search, a
# listing page of 10,000 activities) whose estimated cost passes jit_above_cost, compiling
# took 40-90 ms of a 30 ms query. DB_JIT=true gives it back.
_PG_OPTIONS = "" if env_bool("DB_JIT", False) else "-c jit=off"
if DATABASES["default"]["ENGINE"].endswith("postgresql") and _PG_OPTIONS:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = _PG_OPTIONS

# --- Several app servers (issue 15; README, Deploying) ----------------------------------------
# A kept-alive connection is checked before each request reuses it: after PostgreSQL restarts
# (or kills a connection) the next request reconnects instead of failing.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DB_CONN_HEALTH_CHECKS", True)
# An optional read replica: anonymous public GETs read from it; writes, sessions and signed-in
# or admin requests use the primary (directory/dbrouter.py).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True),
    )
    if DATABASES["replica"]["ENGINE"].endswith("postgresql"):
        # Only public requests read from it: their statement bound, set at connection.
        _bound = env_int("DB_STATEMENT_TIMEOUT_MS", 2000)
        DATABASES["replica"].setdefault("OPTIONS", {})["options"] = (
            f"-c statement_timeout={_bound} -c default_transaction_read_only=on {_PG_OPTIONS}"
        ).strip()
    DATABASE_ROUTERS = ["directory.dbrouter.ReplicaRouter"]
# Anonymous public pages and feeds cached in Redis under the data version (directory/caching.py)
# for at most this long (0 = off); any change to the directory starts a new version at once.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# Cookies a public page is rendered from (the shortlist's ids): part of the cache key.
PAGE_CACHE_VARY_COOKIES = ["shortlist"]
# Never cached: forms that carry a token stamped when they were opened (the problem report).
PAGE_CACHE_SKIP_PATTERNS = [r"^/activities/\d+/report/"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# No request may hold the database for long (directory/timeouts.py): each statement of a public
# request stops after this many milliseconds (admin pages: the second figure; 0 = no bound).
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 2000)
DB_ADMIN_STATEMENT_TIMEOUT_MS = env_int("DB_ADMIN_STATEMENT_TIMEOUT_MS", 60000)

CACHES = {
    "default": (
        {
            # RedisCache that serves pages uncached while Redis is down (directory/caching.py).
            "BACKEND": "directory.caching.TolerantRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            # A Redis that is down or stuck costs a request a fraction of a second, not a hang.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Each activity's serialised calendar events (activities.feeds.events): its own cache, so tens
# of thousands of entries never push rate limits out of a local-memory default cache.
CACHES["feed_events"] = (
    {**CACHES["default"], "KEY_PREFIX": "feed-events"}
    if os.environ.get("REDIS_URL")
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "feed-events",
        "OPTIONS": {"MAX_ENTRIES": 200_000},
    }
)

# django-axes first: it refuses a locked-out username and client before any password is checked.
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

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded media (images, documents) on S3-compatible storage when a bucket is named
# (django-storages; any S3 API: AWS, MinIO, Ceph, a cloud's object store), else MEDIA_ROOT.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            # Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, read by boto3 itself.
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # Served from this host name (a CDN or the bucket's public address) when set.
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "location": os.environ.get("AWS_LOCATION", "media"),
            # Never overwrite another upload of the same name; no public ACLs set by us.
            "file_overwrite": False,
            "default_acl": None,
            # Private buckets: signed links that expire (false for a public bucket or CDN).
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", True),
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Wagtail
WAGTAIL_SITE_NAME = "No Wrong Door"
# No avatars from Gravatar: they would send a hash of each editor's email to a third party (and
# the admin's Content-Security-Policy allows images from our own origin only).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The admin trimmed to what providers use (README "The providers' admin"): no comments on pages,
# no "What's new in Wagtail" banner and no check for Wagtail releases (a call to
# releases.wagtail.org from every editor's dashboard).
WAGTAILADMIN_COMMENTS_ENABLED = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
# The public address, for links in emails, feeds and shared shortlists: required in production
# (a wrong default would send people to localhost), http://localhost:8000 when debugging.
_site_url = os.environ.get("SITE_URL", "").strip()
if not _site_url:
    if DEBUG:
        _site_url = "http://localhost:8000"
    else:
        raise ImproperlyConfigured(
            "Set the SITE_URL environment variable to the site's public address, e.g. "
            "SITE_URL=https://nowrongdoor.example.org (or DEBUG=true): links in emails, "
            "calendar feeds and shared shortlists are built from it."
        )
WAGTAILADMIN_BASE_URL = _site_url
# Rich text posted that is not Draftail's contentstate is a form error, not a 500.
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {"WIDGET": "directory.richtext.CheckedDraftailRichTextArea"}
}
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "pdf", "txt", "xlsx"]
# Django's own limit on fields in one request (its default): no form of ours needs more.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)
# A repeated filter parameter (access=, topic=, ...) counts each value once, and may repeat at
# most this often; the vocabularies are smaller, and each value can cost the database a query.
FILTER_MAX_VALUES = env_int("FILTER_MAX_VALUES", 30)

# The directory's own settings
SITE_URL = WAGTAILADMIN_BASE_URL.rstrip("/")
# "offline" answers from the bundled ONS postcode centroids; "nominatim" asks OpenStreetMap
# (needs the internet, never used by tests).
GEOCODER = os.environ.get("GEOCODER", "offline")
GEOCODER_USER_AGENT = os.environ.get("GEOCODER_USER_AGENT", "no-wrong-door")
BROWSE_PAGE_SIZE = env_int("BROWSE_PAGE_SIZE", 20)
# Spreadsheet uploads in the admin: refuse anything bigger than this.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# What any spreadsheet (admin or command) may unpack to: data rows, cells read, and for an
# .xlsx (a zip) its declared uncompressed size and the packing ratio of any member over 1 MB.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 10_000)
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 500_000)
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 50 * 1024 * 1024)
IMPORT_MAX_UNPACK_RATIO = env_int("IMPORT_MAX_UNPACK_RATIO", 100)
# Rows the admin's import preview shows a page.
IMPORT_PREVIEW_PAGE_SIZE = env_int("IMPORT_PREVIEW_PAGE_SIZE", 100)

# Calendar (.ics) import limits, and whether providers may give a feed address to fetch.
ICAL_IMPORT_MAX_BYTES = env_int("ICAL_IMPORT_MAX_BYTES", 2 * 1024 * 1024)
ICAL_IMPORT_MAX_EVENTS = env_int("ICAL_IMPORT_MAX_EVENTS", 500)
ICAL_IMPORT_MAX_COUNT = env_int("ICAL_IMPORT_MAX_COUNT", 520)  # 10 years weekly
ICAL_FETCH_ALLOWED = env_bool("ICAL_FETCH_ALLOWED", False)
ICAL_FETCH_TIMEOUT = env_int("ICAL_FETCH_TIMEOUT", 10)
# Only for tests and closed networks: lets a calendar fetch reach localhost and private
# addresses (otherwise refused, redirects included, so the server never fetches from its own
# network).
ICAL_FETCH_ALLOW_PRIVATE = env_bool("ICAL_FETCH_ALLOW_PRIVATE", False)
# How long a feed's ETag is cached under the data version (0 = off).
FEED_VALIDATOR_CACHE_SECONDS = env_int("FEED_VALIDATOR_CACHE_SECONDS", 86400)
# Editors do not need Wagtail's moderation workflow: they publish their own listings.
WAGTAIL_WORKFLOW_ENABLED = False

# Production security: on unless DEBUG; each can be switched off behind a TLS-terminating proxy.
# The proxy's header is trusted only when configured (e.g. "HTTP_X_FORWARDED_PROTO,https"):
# without a proxy that sets it, any client could claim its request was secure.
_proxy_ssl_header = env_list("SECURE_PROXY_SSL_HEADER")
if _proxy_ssl_header:
    if len(_proxy_ssl_header) != 2:
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER must be a header and a value: HTTP_X_FORWARDED_PROTO,https"
        )
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is hard to undo: only when asked for.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# check --deploy warns when preload is off (W021); off is our deliberate default, not a slip.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (django-csp, directory.headers): public pages allow scripts, styles,
# images and fonts from our own origin only; no 'unsafe-inline', so no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Wagtail's admin uses inline scripts and styles, blob: images for uploads, and previews in
# frames of our own origin: these directives replace the public ones under these paths only.
CSP_ADMIN_PATHS = ["/admin/", "/django-admin/"]
CONTENT_SECURITY_POLICY_ADMIN = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
    # Wagtail's dashboard asks whether a newer release is out.
    "connect-src": [SELF, "https://releases.wagtail.org"],
    "frame-src": [SELF],
    "frame-ancestors": [SELF],
}
# Permissions-Policy (django-permissions-policy): features the site never uses, refused to every
# origin (browse finds places by postcode, never by the device's location).
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Paths whose query strings hold someone's situation (the finder's answers): Django's request
# log records for them are dropped, since a record carries the full URL.
PRIVATE_QUERY_PATHS = ["/find/"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "private_queries": {
            "()": "directory.logfilters.DropPrivateQueries",
            "paths": PRIVATE_QUERY_PATHS,
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["private_queries"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

if DEBUG:
    # runserver serves static files itself; WhiteNoise is for production's collected files.
    MIDDLEWARE.remove("whitenoise.middleware.WhiteNoiseMiddleware")

# --- Duplicate detection (activities.duplicates) ----------------------------------------------
# The overlap policy: admins tune it here (or through the environment) without code changes.
# Two activities are "the same kind of offer" from this concept score (0 to 1) up.
DUPLICATE_CONCEPT_THRESHOLD = env_float("DUPLICATE_CONCEPT_THRESHOLD", 0.5)
# A duplicate meets in the same building, within this distance, or both online.
DUPLICATE_NEARBY_KM = env_float("DUPLICATE_NEARBY_KM", 2.0)
# A clash is a duplicate on the same weekday at overlapping times (or starting at most
# DUPLICATE_CLASH_START_MINUTES apart), within this distance (or same building, or online).
DUPLICATE_CLASH_KM = env_float("DUPLICATE_CLASH_KM", 1.5)
DUPLICATE_CLASH_START_MINUTES = env_int("DUPLICATE_CLASH_START_MINUTES", 90)
# How many similar activities the page editor's warning lists.
DUPLICATE_WARNING_LIMIT = env_int("DUPLICATE_WARNING_LIMIT", 5)

# --- What next, freshness and problem reports ---------------------------------------------------
# A listing not confirmed for this many days says "may be out of date" and shows on the
# provider's dashboard.
STALE_AFTER_DAYS = env_int("STALE_AFTER_DAYS", 90)
# "What you can go on to": ongoing activities within this many miles of a course's venue.
WHAT_NEXT_RADIUS_MILES = env_float("WHAT_NEXT_RADIUS_MILES", 3.0)
WHAT_NEXT_LIMIT = env_int("WHAT_NEXT_LIMIT", 5)
# "Report a problem": accepted reports per client (keyed by an HMAC of its address, in the
# cache only) per hour, and per activity per day; the form must have been open this long.
REPORT_RATE_LIMIT_PER_HOUR = env_int("REPORT_RATE_LIMIT_PER_HOUR", 5)
REPORT_RATE_LIMIT_PER_ACTIVITY_DAY = env_int("REPORT_RATE_LIMIT_PER_ACTIVITY_DAY", 20)
REPORT_MIN_SECONDS = env_int("REPORT_MIN_SECONDS", 3)
REPORT_MAX_AGE_SECONDS = env_int("REPORT_MAX_AGE_SECONDS", 86400)
# Behind a reverse proxy, the request header holding the client address (e.g.
# HTTP_X_FORWARDED_FOR, last entry used) for rate limits; empty means REMOTE_ADDR.
# (REPORT_CLIENT_IP_HEADER is its earlier name, still read.)
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", os.environ.get("REPORT_CLIENT_IP_HEADER", ""))
REPORT_CLIENT_IP_HEADER = CLIENT_IP_HEADER

# --- Signing in (directory.signin) ------------------------------------------------------------
# Login throttling (django-axes, database handler): after AXES_FAILURE_LIMIT wrong passwords for
# one username from one client, that pair is refused for AXES_COOLOFF_MINUTES (another attempt
# meanwhile starts the wait again). Another user, or the same user elsewhere, is unaffected.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "directory.signin.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "directory.signin.lockout.lockout_response"
# A right password clears the count; successful sign-ins are not logged (no one needs a
# table of who signed in from where), and failures older than the cool-off are deleted.
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
# Password-reset emails: per client and per address (an HMAC in the cache), each per hour.
# Over either, the page answers as if sent and sends nothing.
PASSWORD_RESET_LIMIT_PER_CLIENT = env_int("PASSWORD_RESET_LIMIT_PER_CLIENT", 5)
PASSWORD_RESET_LIMIT_PER_EMAIL = env_int("PASSWORD_RESET_LIMIT_PER_EMAIL", 3)
# How long a password-reset link, and a referrer's invitation link, works (Django's default).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60 * 24 * 3)

# Second factor (django-otp: an authenticator app plus recovery codes) for superusers and the
# members of these groups (by name); on unless DEBUG. Provider editors are not asked.
OTP_REQUIRED = env_bool("OTP_REQUIRED", not DEBUG)
OTP_REQUIRED_GROUPS = env_list("OTP_REQUIRED_GROUPS", "City admins,Navigators")
OTP_TOTP_ISSUER = WAGTAIL_SITE_NAME

# Email (problem reports). Development prints messages to the console; tests use Django's
# in-memory outbox whatever is set here.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "No Wrong Door <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Referrals (referrals/) ------------------------------------------------------------------
# Fernet keys for the personal details, comma-separated: the first encrypts, all decrypt (put a
# new key first, run `manage.py rotate_referral_keys`, then drop the old one). Required in
# production; a development run (DEBUG) derives one from SECRET_KEY.
REFERRAL_ENCRYPTION_KEYS = env_list("REFERRAL_ENCRYPTION_KEYS")
if not REFERRAL_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set REFERRAL_ENCRYPTION_KEYS (comma-separated Fernet keys) or DEBUG=true."
        )
    REFERRAL_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(
            hashlib.sha256(("nwd.referrals:" + SECRET_KEY).encode()).digest()
        ).decode()
    ]
# Working days before an unanswered referral is reminded, then escalated to the navigators.
REFERRAL_REMIND_AFTER_WORKING_DAYS = env_int("REFERRAL_REMIND_AFTER_WORKING_DAYS", 5)
REFERRAL_ESCALATE_AFTER_WORKING_DAYS = env_int("REFERRAL_ESCALATE_AFTER_WORKING_DAYS", 10)
# Days after a referral closes before its personal details are erased (counts are kept).
REFERRAL_RETENTION_DAYS = env_int("REFERRAL_RETENTION_DAYS", 180)
# How long the person's private status link works.
REFERRAL_STATUS_LINK_DAYS = env_int("REFERRAL_STATUS_LINK_DAYS", 90)
# The privacy notice a person agrees to, recorded with their consent.
PRIVACY_NOTICE_VERSION = os.environ.get("PRIVACY_NOTICE_VERSION", "2026-12")
# Referrals sent per client (an HMAC of its address, in the cache only) per hour.
REFERRAL_RATE_LIMIT_PER_HOUR = env_int("REFERRAL_RATE_LIMIT_PER_HOUR", 5)
