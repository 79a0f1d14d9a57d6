"""Django settings for Scan Archive, read from environment variables.

Every setting is documented in README.md ("Configuration"). Local mode (no ``DATABASE_URL``)
keeps everything under ``var/``: the embedded PostgreSQL, uploaded files and the secret key.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from archive import languages as document_languages
from archive.embedded_db import embedded_database_url
from archive.env import env_bool, env_float, env_int, env_list, env_str, var_dir
from archive.replica.config import REPLICA, replica_database
from archive.storage.config import S3_BACKEND, s3_client_config, storage_backend

# Django's generic classes (ModelAdmin[Document], ModelForm[Tag], …) subscriptable at run time,
# as the type checker reads them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = var_dir()


def _secret_key() -> str:
    """Use ``SECRET_KEY`` if set; otherwise generate one once and keep it under ``var/``."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
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
    "django_htmx",
    "django_q",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc files, served locally (no CDN)
    # optional two-factor login (archive.twofactor): TOTP devices
    "django_otp",
    "django_otp.plugins.otp_totp",
    "archive",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "archive.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "archive.multipart.MultipartNamesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The UI's language: the language cookie (set by the switcher), else Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A logged-in user's own language (stored on their account) over the cookie and browser.
    "archive.ui_language.UserLanguageMiddleware",
    "archive.throttle.LoginDeviceMiddleware",
    # request.user.is_verified(), then: a session that still needs its code goes nowhere else
    "django_otp.middleware.OTPMiddleware",
    "archive.twofactor.TwoFactorMiddleware",
    # After a request that may have written, the session reads from the primary until the
    # replica has caught up with it (archive.replica; nothing without DATABASE_REPLICA_URL).
    "archive.replica.requests.WritePinMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "archive.urls"
WSGI_APPLICATION = "archive.wsgi.application"

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

# --- database -------------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL") or embedded_database_url(VAR_DIR / "pgdata")
_database: dict[str, Any] = dict(
    dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
)
if not _database["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres://...).")
# pgserver gives a Unix socket as "?host=/path"; Django expects it in HOST.
_options = dict(_database.get("OPTIONS") or {})
if "host" in _options and not _database.get("HOST"):
    _database["HOST"] = _options.pop("host")
_database["OPTIONS"] = _options
DATABASES = {"default": _database}
# A streaming replica (hot standby) of the primary for search, library and facet reads
# (archive.replica): a session that wrote reads from the primary until the replica has replayed
# its write; a replica that is down, not streaming or more than REPLICA_MAX_LAG_SECONDS behind
# is skipped (logged), and one that failed is retried after REPLICA_RETRY_SECONDS. Every read
# and write outside those views stays on the primary (docs/operations.md).
REPLICA_CONNECT_TIMEOUT = env_int("REPLICA_CONNECT_TIMEOUT", 2, minimum=1)
REPLICA_MAX_LAG_SECONDS = env_float("REPLICA_MAX_LAG_SECONDS", 10.0, minimum=0.0)
REPLICA_RETRY_SECONDS = env_float("REPLICA_RETRY_SECONDS", 30.0, minimum=0.0)
if env_str("DATABASE_REPLICA_URL"):
    DATABASES[REPLICA] = replica_database(
        env_str("DATABASE_REPLICA_URL"), connect_timeout=REPLICA_CONNECT_TIMEOUT
    )
READ_FROM_REPLICA = REPLICA in DATABASES
DATABASE_ROUTERS = ["archive.replica.routing.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- files ------------------------------------------------------------------------------------
# Originals and page images go through Django's storage API only (never a local path), so an
# S3 backend from django-storages works by setting STORAGE_BACKEND and its own AWS_* settings.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Without collected files (tests, a first run before collectstatic) serve from the source folders.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
# STORAGE_BACKEND: "local" (the default: MEDIA_ROOT), "s3" (django-storages' S3 backend, read
# from its own AWS_* variables below; `pip install scan-archive[s3]`), or a storage class's
# dotted path. Every variable is described in docs/operations.md.
STORAGE_BACKEND = storage_backend(env_str("STORAGE_BACKEND", "local"))
STORAGES = {
    "default": {"BACKEND": STORAGE_BACKEND},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if STORAGE_BACKEND == S3_BACKEND:
    AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
    if not AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME.")
    # Empty: Amazon S3 itself; else the address of an S3-compatible server (SeaweedFS, MinIO).
    AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME") or None
    # Unset: boto3 finds credentials itself (instance role, ~/.aws, its own variables).
    AWS_ACCESS_KEY_ID = env_str("AWS_ACCESS_KEY_ID") or None
    AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY") or None
    AWS_SESSION_TOKEN = env_str("AWS_SESSION_TOKEN") or None
    # A prefix inside the bucket, so one bucket can hold several archives.
    AWS_LOCATION = env_str("AWS_LOCATION", "")
    # "path" for most self-hosted servers; empty lets boto3 choose (virtual hosts on AWS).
    AWS_S3_ADDRESSING_STYLE = env_str("AWS_S3_ADDRESSING_STYLE") or None
    AWS_S3_SIGNATURE_VERSION = env_str("AWS_S3_SIGNATURE_VERSION", "s3v4")
    AWS_S3_VERIFY = env_bool("AWS_S3_VERIFY", True)
    # Never overwrite: every name the archive stores is new (a page of a re-run, a second
    # upload of the same name), and code relies on save() giving a free name, as on disk.
    AWS_S3_FILE_OVERWRITE = False
    # Objects are private: every read goes through an access-checked view.
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    # A stored file opened for reading is spooled to a temporary file past this size (not
    # held in memory; django-storages' default keeps it all in memory).
    AWS_S3_MAX_MEMORY_SIZE = env_int("AWS_S3_MAX_MEMORY_SIZE", 8 * 1024 * 1024, minimum=0)
    # How long a request may wait for the server, and how often it is tried: an unreachable
    # server fails an upload in seconds with a clear message instead of hanging it.
    AWS_S3_CLIENT_CONFIG = s3_client_config(
        connect_timeout=env_float("AWS_S3_CONNECT_TIMEOUT", 5.0, minimum=0.1),
        read_timeout=env_float("AWS_S3_READ_TIMEOUT", 60.0, minimum=1.0),
        max_attempts=env_int("AWS_S3_MAX_ATTEMPTS", 3, minimum=1),
        addressing_style=AWS_S3_ADDRESSING_STYLE,
        signature_version=AWS_S3_SIGNATURE_VERSION,
    )
# Media views (originals, page images, searchable PDFs) stream stored files through the web
# process; with a number of seconds here and a storage that can sign URLs (S3), they answer an
# access-checked request with a redirect to a URL signed for that long instead.
MEDIA_REDIRECT_SECONDS = env_int("MEDIA_REDIRECT_SECONDS", 0, minimum=0)
# A worker host keeps originals fetched from S3 for the next pages of the same document
# (archive.storage.originals): up to this many MB, least recently used out first; 0: off.
WORKER_ORIGINALS_CACHE_MB = env_int("WORKER_ORIGINALS_CACHE_MB", 500, minimum=0)
# Its folder; empty: scan-archive-originals in the worker's temporary folder.
WORKER_ORIGINALS_CACHE_DIR = env_str("WORKER_ORIGINALS_CACHE_DIR", "")
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 200, minimum=1)
# Uploads above this many bytes are spooled to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("MAX_UPLOAD_FILES", 100, minimum=1)
# Consume folder (manage.py watch, started by serve when WATCH_DIR is set): files dropped there
# become WATCH_OWNER's documents once unchanged for WATCH_INTERVAL seconds.
WATCH_DIR = env_str("WATCH_DIR")
WATCH_OWNER = env_str("WATCH_OWNER")
WATCH_INTERVAL = env_int("WATCH_INTERVAL", 5, minimum=1)

# --- search -------------------------------------------------------------------------------------
# At most this many matching documents are ranked, counted and faceted per search (the rest of
# a huge result set is reported as "more than N"): this bounds a query's work at any size.
SEARCH_CANDIDATES = env_int("SEARCH_CANDIDATES", 1000, minimum=20)
# Typo tolerance: a query word held by fewer than SEARCH_TYPO_BELOW documents also finds its
# close spellings in the user's words (OCR misreadings, typos); ``?exact=1`` turns it off for
# one search (archive.search.typos).
SEARCH_TYPO_TOLERANCE = env_bool("SEARCH_TYPO_TOLERANCE", True)
# OCR-aware indexing (archive.search.tokens) and the text check of exact phrases
# (archive.search.phrases): on; off only to measure what they bring (bench/relevance.py).
SEARCH_OCR_TOKENS = env_bool("SEARCH_OCR_TOKENS", True)
# What one search may cost (archive.search.limits): words and phrases per query, and a time
# limit for its statements (0: none); past either the user is asked to simplify the query.
SEARCH_MAX_TERMS = env_int("SEARCH_MAX_TERMS", 32, minimum=1)
SEARCH_TIMEOUT_MS = env_int("SEARCH_TIMEOUT_MS", 10_000, minimum=0)
SEARCH_EXACT_PHRASES = env_bool("SEARCH_EXACT_PHRASES", True)
SEARCH_TYPO_BELOW = env_int("SEARCH_TYPO_BELOW", 3, minimum=1)
# Ranking (archive.search.bm25): BM25 with a title boost. Impacts are stored in the impact
# lists when documents are indexed, so changing these needs ``manage.py reindex``.
SEARCH_BM25_K1 = env_float("SEARCH_BM25_K1", 1.2, minimum=0.0)
SEARCH_BM25_B = env_float("SEARCH_BM25_B", 0.75, minimum=0.0, maximum=1.0)
SEARCH_TITLE_BOOST = env_float("SEARCH_TITLE_BOOST", 3.0, minimum=0.0)
# BM25's reference document length, in indexed positions (each word counts once per reading,
# about twice its words): FIXED rather than the archive's running average so a stored impact
# stays valid as the archive grows. Default: the median one-page document of the bench corpus.
SEARCH_REFERENCE_LENGTH = env_float("SEARCH_REFERENCE_LENGTH", 600.0, minimum=1.0)
# A term held by more documents than this gets an impact list (archive.search.terms, built by
# the merge that runs every minute); rarer terms are ranked by scoring all their documents,
# found through the GIN index. 0: every term has a list from its first document. Measured at
# 10,000 pages (docs/search.md): 100 keeps every query class as fast as lists for all, with
# a quarter less index and 1.4x the load rate; 1000 halves the index again but scoring ~1000
# documents' vectors took a word on 1,000 documents from 0.5 to 2.7 s on a loaded machine.
SEARCH_IMPACT_THRESHOLD = env_int("SEARCH_IMPACT_THRESHOLD", 100, minimum=0)
# An impact list keeps about its best this-many to twice this-many documents (its floor is
# raised each time the term's df doubles).
SEARCH_IMPACT_KEEP = env_int("SEARCH_IMPACT_KEEP", 1000, minimum=1)
# Matches are counted exactly up to this many; above it the count is an estimate.
SEARCH_COUNT_LIMIT = env_int("SEARCH_COUNT_LIMIT", 10_000, minimum=1)

# --- OCR ----------------------------------------------------------------------------------------
OCR_ENGINE = env_str("OCR_ENGINE", "auto")
OCR_LANGUAGES = env_list("OCR_LANGUAGES", ["en"])
# Documents uploaded with language "detect" (the default) take the language of their first
# page's text (archive.langdetect); when the text cannot tell (too short, unsure) they take
# this one. A guess less sure than LANGUAGE_DETECT_MIN_CONFIDENCE (0-1) is not taken.
LANGUAGE_DETECT_DEFAULT = env_str("LANGUAGE_DETECT_DEFAULT", OCR_LANGUAGES[0])
LANGUAGE_DETECT_MIN_CONFIDENCE = env_float("LANGUAGE_DETECT_MIN_CONFIDENCE", 0.5)
if LANGUAGE_DETECT_DEFAULT not in document_languages.LANGUAGES:
    raise ImproperlyConfigured(
        f"LANGUAGE_DETECT_DEFAULT={LANGUAGE_DETECT_DEFAULT!r} is not one of the languages "
        f"offered: {', '.join(document_languages.LANGUAGES)}"
    )
OCR_MAX_SIDE = env_int("OCR_MAX_SIDE", 4000, minimum=500)
# Pillow refuses images above 178,956,970 pixels itself; a higher value has no effect on images.
OCR_MAX_PIXELS = env_int("OCR_MAX_PIXELS", 178_956_970, minimum=1_000_000)
OCR_PDF_DPI = env_int("OCR_PDF_DPI", 300, minimum=72)
# Pages of a PDF that carry a text layer keep it instead of being OCR'd (unless forced).
OCR_USE_TEXT_LAYER = env_bool("OCR_USE_TEXT_LAYER", True)
# Build each document's searchable PDF in the worker as soon as it is done, instead of on the
# first download (archive.exports).
SEARCHABLE_PDF_AT_END = env_bool("SEARCHABLE_PDF_AT_END", False)
# Files with more pages are refused at upload.
MAX_PAGES = env_int("MAX_PAGES", 2000, minimum=1)
# One page's time limit in a worker, model loading included. A page past it fails its document
# with the page named; the other pages are kept.
OCR_PAGE_TIMEOUT = env_int("OCR_PAGE_TIMEOUT", 300, minimum=5)
# How often a page may be started before its document fails: a page whose worker died (killed,
# out of memory) is handed out again, but not forever.
OCR_PAGE_ATTEMPTS = env_int("OCR_PAGE_ATTEMPTS", 2, minimum=1)
# A task (a ticket of the fair queue) whose worker died is handed out again after this many
# seconds. The page it was reading does not wait for that: its lease runs out first (below). It
# should exceed the time a task can wait in a worker's queue plus run (two page time limits), or
# tickets are handed out twice (harmless: a ticket with nothing left to do ends at once).
OCR_RETRY_SECONDS = env_int("OCR_RETRY_SECONDS", 2 * OCR_PAGE_TIMEOUT + 30, minimum=5)
# A queued or processing document with no page saved or started for this long, and no task for
# it in the queue, is queued again by a check that runs every 5 minutes (archive.processing.
# stuck). It must exceed a page's time limit, so that a page still being read is never taken for
# a lost one.
STUCK_AFTER_SECONDS = env_int(
    "STUCK_AFTER_SECONDS", OCR_PAGE_TIMEOUT + 60, minimum=OCR_PAGE_TIMEOUT + 1
)

# Fair OCR queue (archive.processing.jobs): a worker holds the page it reads by a lease that its
# heartbeat renews every OCR_LEASE_SECONDS / 3; a lease not renewed for OCR_LEASE_SECONDS (worker
# killed, host gone, database unreachable) hands the page to another worker, within
# OCR_LEASE_SECONDS + LEASE_SWEEP_SECONDS (the check ``serve`` runs).
OCR_LEASE_SECONDS = env_int("OCR_LEASE_SECONDS", 10, minimum=3)
# A document failed because the file storage did not answer (S3 down or unreachable from its
# worker) is re-run by the system (archive.retries) after STORAGE_RETRY_SECONDS, doubling at
# each failure up to an hour, at most STORAGE_RETRIES times (0: never; re-run it by hand).
STORAGE_RETRY_SECONDS = env_int("STORAGE_RETRY_SECONDS", 60, minimum=1)
STORAGE_RETRIES = env_int("STORAGE_RETRIES", 5, minimum=0)
LEASE_SWEEP_SECONDS = env_int("LEASE_SWEEP_SECONDS", 5, minimum=1)
# Pages one user may have waiting for OCR from uploads (web, API); an upload past it is refused
# with a message saying so. Bulk imports by the administrator are not limited.
OCR_QUEUED_PAGES_PER_USER = env_int("OCR_QUEUED_PAGES_PER_USER", 5000, minimum=1)

# --- OCR service (POST /api/ocr/, archive.ocr_service) ----------------------------------------
# A file of at most this many pages is answered in the request itself (the web process waits
# for the worker, at most OCR_SYNC_WAIT_SECONDS, then answers with the job to poll instead).
OCR_SYNC_MAX_PAGES = env_int("OCR_SYNC_MAX_PAGES", 2, minimum=0)
OCR_SYNC_WAIT_SECONDS = env_int("OCR_SYNC_WAIT_SECONDS", 30, minimum=1)
# A job and its result are kept this long after it was sent, then purged.
OCR_JOB_KEEP_SECONDS = env_int("OCR_JOB_KEEP_SECONDS", 3600, minimum=60)
# Jobs one user may have queued or being read at once; more are refused (429) until some end.
OCR_JOBS_PER_USER = env_int("OCR_JOBS_PER_USER", 20, minimum=1)

# --- review of OCR results (admin) -----------------------------------------------------------
# Pages whose mean word confidence is below this are listed under "Needs review", and words
# below it are marked on the page review screen. Confidences are 0-1, as the engines give them.
REVIEW_CONFIDENCE_THRESHOLD = env_float(
    "REVIEW_CONFIDENCE_THRESHOLD", 0.8, minimum=0.0, maximum=1.0
)

# --- task queue (django-q2) -------------------------------------------------------------------
WORKERS = env_int("WORKERS", 2, minimum=1)
# Each worker process's OCR engine gets its share of the cores (the OCR library reads this);
# engines that each use every core slow each other down.
os.environ.setdefault("OCR_THREADS", str(max(1, (os.cpu_count() or 1) // WORKERS)))
Q_CLUSTER: dict[str, object] = {
    "name": "scan-archive",
    "workers": WORKERS,
    "timeout": OCR_PAGE_TIMEOUT,
    # A task not acknowledged after `retry` seconds (its worker died) is handed out again.
    "retry": OCR_RETRY_SECONDS,
    "max_attempts": 3,
    # One task waiting per worker: a waiting task's retry clock is already running.
    "queue_limit": WORKERS,
    "bulk": 1,
    "catch_up": False,
    "save_limit": 1000,
    "label": "Task queue",
    "poll": 0.5,
}
if env_str("REDIS_URL"):
    Q_CLUSTER["redis"] = env_str("REDIS_URL")
else:
    Q_CLUSTER["orm"] = "default"
# Run tasks in the calling process (tests of the task code, scripts without a worker).
Q_CLUSTER["sync"] = env_bool("Q_SYNC", False)

# --- REST API (archive/api) ---------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an API client without credentials is told so (401 with WWW-Authenticate).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "archive.api.pagination.PageNumbers",
    "PAGE_SIZE": env_int("API_PAGE_SIZE", 50, minimum=1),
    "EXCEPTION_HANDLER": "archive.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Scan Archive API",
    "DESCRIPTION": "Upload scans, follow their OCR, read pages and word boxes, search.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Multipart uploads are described with binary file parts only when requests get their own
    # components.
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Documents and OCR service jobs both have a "status": one enum name each (the documents'
    # keeps the name it had).
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "archive.models.Document.Status",
        "OcrJobStatusEnum": "archive.ocr_jobs.OcrJob.Status",
        "ShareLinkKindEnum": "archive.sharing.models.ShareLink.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "archive.api.schema.add_error_responses",
    ],
}

# --- auth and security --------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Every login (web, admin, API) goes through the throttled backend: see archive.throttle.
AUTHENTICATION_BACKENDS = ["archive.throttle.ThrottledModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind HTTPS (directly or through a proxy that sets X-Forwarded-Proto) cookies must never
# travel in clear text; see "Production settings" in the README for the full set.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY", False) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or networks,
# e.g. "127.0.0.1,10.0.0.0/8"); empty: none, the client address is REMOTE_ADDR (see
# archive.proxies and docs/security.md).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
# Failed logins (see archive.throttle): per account and client address, LOGIN_MAX_FAILURES
# attempts are free, then each further failure doubles a wait (from LOGIN_BACKOFF_SECONDS up
# to LOGIN_LOCKOUT_SECONDS). One address over all accounts, and one account over all
# addresses, get LOGIN_MAX_FAILURES x 4 free; a device or address the account logged in from
# before is exempt from the all-addresses count. Counts are forgotten after
# LOGIN_LOCKOUT_SECONDS without a failure.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_BACKOFF_SECONDS = env_int("LOGIN_BACKOFF_SECONDS", 1, minimum=1)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 900, minimum=1)
# Two-factor login (archive.twofactor, docs/security.md): any user may turn on a TOTP code
# after the password; OTP_REQUIRED_FOR_STAFF=true makes staff set it up before anything else.
OTP_REQUIRED_FOR_STAFF = env_bool("OTP_REQUIRED_FOR_STAFF", False)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Scan Archive")
# The admin's device pages never show a device's key once it exists.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Share links (archive.sharing.links): requests to link pages allowed per client address and
# minute, valid token or not (guessing tokens is hopeless anyway; this bounds the cost).
SHARE_LINK_RATE = env_int("SHARE_LINK_RATE", 30, minimum=1)

# --- languages of the UI (docs/languages.md) ----------------------------------------------------
# Not those of documents (archive.languages): the UI is
# offered in these five, chosen from the browser's Accept-Language or the switcher in the
# header (a cookie); translations in locale/<lang>/LC_MESSAGES, compiled .mo files committed.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("es", "Español"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English keeps ISO dates (archive/formats/en); the others use Django's formats.
FORMAT_MODULE_PATH = ["archive.formats"]
LANGUAGE_COOKIE_NAME = "language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # a year: a choice made once is remembered
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "RapidOCR": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},  # "logger bridge initialized" in every process
    },
}
