"""The only settings module: every value comes from the environment (see .env.example)."""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from presscentre.core.client_address import checked_networks
from presscentre.core.env import env_flag, env_int, env_list, env_seconds, env_time_zone
from presscentre.core.urls_public import checked_origin

PROJECT_DIR = Path(__file__).resolve().parent
BASE_DIR = PROJECT_DIR.parent

DEBUG = env_flag("DEBUG", default=True)
SECRET_KEY = os.environ.get("SECRET_KEY") or ("insecure-local-only" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "presscentre.core",
    "presscentre.newsroom",
    "presscentre.embargo",
    "presscentre.comments",
    "presscentre.syndication",
    "presscentre.importers",
    "presscentre.distribution",
    "presscentre.alerts",
    "presscentre.experts",
    "presscentre.mediakit",
    "presscentre.pagecache",
    "django_altcha",
    "axes",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
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
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "wagtail.api.v2",
    "rest_framework",
]

MIDDLEWARE = [
    # Outermost: it judges the finished response (security and CSP headers, cookies) for the page cache.
    "presscentre.pagecache.middleware.page_cache",
    "django.middleware.security.SecurityMiddleware",
    "presscentre.core.security.ContentSecurityPolicyMiddleware",
    "presscentre.core.security.refuse_nul_bytes",
    "presscentre.core.middleware.never_cache_not_found",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After CommonMiddleware has checked the host name: the site, root page and settings from process memory.
    "presscentre.core.site_memo.site_memo_scope",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Wagtail's redirects (on a 404), followed only to public pages: an imported draft's old address names nothing.
    "presscentre.importers.middleware.PublicRedirectMiddleware",
    "presscentre.importers.middleware.redirect_wordpress_post_ids",
    "presscentre.syndication.middleware.wordpress_search_redirect",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "presscentre.urls"
WSGI_APPLICATION = "presscentre.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE avoids lock upgrades failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        }
    )
elif env_flag("DATABASE_PREPARED_STATEMENTS", default=True):
    # PostgreSQL plans each statement once per connection and reuses the plan (psycopg prepares a statement on
    # its third run): a third of a page's database CPU (docs/performance.md). Turn off (false) behind a
    # transaction-pooling PgBouncer older than 1.21, which cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 2})
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable PostgreSQL fails a request after this many seconds rather than the kernel's two minutes.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DATABASE_CONNECT_TIMEOUT", default=5, minimum=1
    )
    # Set for the web process only (deploy/ sets it in its unit): a statement a reader's request runs longer than
    # this is cancelled, and the request fails alone instead of holding a connection; the worker and migrations
    # run without it. 0 (the default) sets no limit.
    _statement_timeout_ms = env_int("DATABASE_STATEMENT_TIMEOUT_MS", default=0)
    if _statement_timeout_ms:
        _options = DATABASES["default"]["OPTIONS"]
        _options["options"] = f"{_options.get('options', '')} -c statement_timeout={_statement_timeout_ms}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
# Seconds to connect to Redis and to wait for each answer: past them the cache counts as down and pages are served
# from the database (docs/caching.md, "When Redis fails"), instead of every request waiting on a frozen Redis.
REDIS_CONNECT_TIMEOUT = env_seconds("REDIS_CONNECT_TIMEOUT", default=0.5, minimum=0.05)
REDIS_TIMEOUT = env_seconds("REDIS_TIMEOUT", default=1.0, minimum=0.05)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "presscentre.pagecache.cache_backend.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": REDIS_CONNECT_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
    }
else:
    # Without Redis, a table in the database (core migration 0004 creates it): the web process, the worker and
    # management commands must share one cache, or a lift or publish made by one would never purge the pages
    # another keeps. Past MAX_ENTRIES Django drops a third of the rows in key order, comments' used tickets and
    # rate counts first: room for far more than its 300 keeps that rare.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "presscentre_cache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# The site memory (core/site_memo.py) needs a cache every process shares, which both caches above are.
PRESSCENTRE_SITE_MEMO = env_flag("PRESSCENTRE_SITE_MEMO", default=True)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The task worker (`manage.py run_worker`, presscentre/core/worker.py) records a heartbeat this often; a task running
# on a worker unseen for the lease (killed, frozen) goes back in the queue for another worker.
PRESSCENTRE_WORKER_HEARTBEAT_SECONDS = env_int("PRESSCENTRE_WORKER_HEARTBEAT_SECONDS", default=5, minimum=1)
PRESSCENTRE_WORKER_LEASE_SECONDS = env_int("PRESSCENTRE_WORKER_LEASE_SECONDS", default=60, minimum=10)
if PRESSCENTRE_WORKER_LEASE_SECONDS < 3 * PRESSCENTRE_WORKER_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "PRESSCENTRE_WORKER_LEASE_SECONDS must be at least three PRESSCENTRE_WORKER_HEARTBEAT_SECONDS, so that a "
        "live worker is never taken for dead."
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Admin sign-in throttling (django-axes): after PRESSCENTRE_LOGIN_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is refused for PRESSCENTRE_LOGIN_COOLOFF_MINUTES. Attempts are kept in the database
# (shared by every app server) only until their cool-off ends; successful sign-ins are not logged.
AUTHENTICATION_BACKENDS = [
    "presscentre.core.security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("PRESSCENTRE_LOGIN_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("PRESSCENTRE_LOGIN_COOLOFF_MINUTES", default=15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password"]
AXES_LOCKOUT_CALLABLE = "presscentre.core.security.login_locked_out"
# The same client address as everywhere else: REMOTE_ADDR, or behind PRESSCENTRE_TRUSTED_PROXIES the reader's own.
AXES_CLIENT_IP_CALLABLE = "presscentre.core.client_address.axes_client_address"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_time_zone("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", "").strip() or BASE_DIR / "static_collected")
STATICFILES_DIRS = [PROJECT_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", "").strip() or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Files handed out only by views that apply the embargo rule (image downloads, galleries' ZIPs): outside MEDIA_ROOT,
# so a web server that serves /media/ straight from disk cannot reach them.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", "").strip() or BASE_DIR / "private_media")
STORAGES["private"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
}

# Media on S3-compatible object storage (AWS S3, MinIO, Ceph, R2, ...) once a bucket is named; boto3 reads
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY itself. Nothing in the bucket is publicly readable (block public access
# on it): pages show the app's own addresses (/media/images/..., /media/original_images/...), where the embargo rule
# is applied before the app redirects to a signed address that expires after PRESSCENTRE_SIGNED_MEDIA_SECONDS
# (the `signed_media` alias); documents are streamed by the app. The download sizes and galleries' ZIPs go under
# private/ in the same bucket, handed out the same way (docs/deploy.md).
PRESSCENTRE_SIGNED_MEDIA_SECONDS = env_int("PRESSCENTRE_SIGNED_MEDIA_SECONDS", default=60, minimum=5)
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "presscentre.mediakit.serving.AppServedS3Storage"}
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL", "").strip() or None
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME", "").strip() or None
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN", "").strip() or None
    AWS_LOCATION = os.environ.get("AWS_LOCATION", "").strip()
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = False
    AWS_S3_FILE_OVERWRITE = False
    _signed = {"querystring_auth": True, "querystring_expire": PRESSCENTRE_SIGNED_MEDIA_SECONDS, "custom_domain": None}
    STORAGES["signed_media"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _signed}
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_signed, "location": "/".join(part for part in (AWS_LOCATION.strip("/"), "private") if part)},
    }

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "").strip() or (
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", default=False)
# Seconds to connect to the SMTP server and for each of its answers, so a frozen server cannot hold a send forever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=10, minimum=1)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "press@localhost")

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# A request body without its files (forms, the comment post) may not exceed this; files stream to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024, minimum=1024)

WAGTAIL_SITE_NAME = os.environ.get("WAGTAIL_SITE_NAME", "Press Centre")
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The one public origin every absolute URL starts with (feeds, sitemaps, canonical links, journalists' links,
# emails, calendar files): presscentre.core.urls_public. Defaults to the admin's base; the Site record's hostname
# is for routing requests only. Wagtail's API builds its own detail URLs from WAGTAILAPI_BASE_URL: the same origin.
if os.environ.get("PRESSCENTRE_PUBLIC_URL", "").strip():
    PRESSCENTRE_PUBLIC_URL = checked_origin(os.environ["PRESSCENTRE_PUBLIC_URL"], name="PRESSCENTRE_PUBLIC_URL")
else:
    PRESSCENTRE_PUBLIC_URL = checked_origin(
        WAGTAILADMIN_BASE_URL, name="WAGTAILADMIN_BASE_URL (or set PRESSCENTRE_PUBLIC_URL)"
    )
WAGTAILAPI_BASE_URL = PRESSCENTRE_PUBLIC_URL
WAGTAILIMAGES_IMAGE_MODEL = "core.PressCentreImage"
WAGTAILDOCS_DOCUMENT_MODEL = "core.PressCentreDocument"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "mp3", "m4a", "mp4", "ogg", "odt", "pdf", "pptx", "txt", "wav", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = env_int("WAGTAILDOCS_MAX_UPLOAD_SIZE", default=200 * 1024 * 1024, minimum=1)
# No SVG: an SVG can carry script. Images are checked for size and, before decoding, for their pixel count.
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env_int("WAGTAILIMAGES_MAX_UPLOAD_SIZE", default=20 * 1024 * 1024, minimum=1)
WAGTAILIMAGES_MAX_IMAGE_PIXELS = env_int("WAGTAILIMAGES_MAX_IMAGE_PIXELS", default=60_000_000, minimum=1)
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Alt text required on images, and the caption, credit and licence in order on both forms (presscentre.core.forms).
WAGTAILIMAGES_IMAGE_FORM_BASE = "presscentre.core.forms.PressCentreImageForm"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "presscentre.core.forms.PressCentreDocumentForm"
WAGTAIL_WORKFLOW_ENABLED = True
# The admin asks no third party for anything: no check for new Wagtail releases from the dashboard.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# One way to type and show a date and a time in every admin form: 2026-12-04 09:30, 24-hour clock.
WAGTAIL_DATE_FORMAT = "%Y-%m-%d"
WAGTAIL_DATETIME_FORMAT = "%Y-%m-%d %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # the admin asks no third party for avatars: initials instead (core.avatars)

PRESSCENTRE_ITEMS_PER_PAGE = env_int("PRESSCENTRE_ITEMS_PER_PAGE", default=20, minimum=1)

# Page cache (docs/caching.md): anonymous pages kept in the default cache and served before Django runs.
# The seconds are how long the app's cache and shared caches (s-maxage) keep a page; purges are exact, so this
# is only the safety net. Browsers keep a page for the shorter max-age.
PRESSCENTRE_PAGE_CACHE = env_flag("PRESSCENTRE_PAGE_CACHE", default=True)
PRESSCENTRE_PAGE_CACHE_SECONDS = env_int("PRESSCENTRE_PAGE_CACHE_SECONDS", default=600, minimum=1)
PRESSCENTRE_PAGE_CACHE_BROWSER_SECONDS = env_int("PRESSCENTRE_PAGE_CACHE_BROWSER_SECONDS", default=60)
PRESSCENTRE_PAGE_CACHE_SEARCH_SECONDS = env_int("PRESSCENTRE_PAGE_CACHE_SEARCH_SECONDS", default=60, minimum=1)

# LOG_FORMAT=json writes one JSON object per line (time, level, logger, message, extras) for log collectors.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "").strip().lower() or "text"
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    # LOG_TASKS_LEVEL: the least level shown from the task worker's own loggers (the demo shows WARNING and up).
    "filters": {
        "task_level": {
            "()": "presscentre.core.log_filters.MinimumLevelFor",
            "loggers": ["django_tasks", "django_tasks_db"],
            "level": os.environ.get("LOG_TASKS_LEVEL", "INFO"),
        },
        # Journalists' tokens are keys to embargoed items: "Not Found: /embargoed/<token>/" and runserver's
        # access lines show only their first characters (deploy/gunicorn.conf.py does the same for gunicorn).
        "journalist_tokens": {"()": "presscentre.core.log_filters.MaskJournalistTokens"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["task_level", "journalist_tokens"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["journalist_tokens"],
        },
    },
    # Filters on the loggers themselves mask a record before any handler (Django's own, an error email) sees it.
    "loggers": {
        "django.request": {"filters": ["journalist_tokens"]},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["journalist_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO").upper()},
}

# Shared HTTP caches in front, purged by cache tag after every change (presscentre/pagecache/edge.py):
# PRESSCENTRE_VARNISH_URL: comma-separated Varnish addresses (each receives every purge); Cloudflare, Fastly and
# CloudFront are configured by their own variables (docs/deploy.md). None set: nothing to purge at the edge.
PRESSCENTRE_EDGE_CACHES = {}
for _number, _location in enumerate(env_list("PRESSCENTRE_VARNISH_URL", default=[]), start=1):
    if not _location.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"PRESSCENTRE_VARNISH_URL must list http:// addresses, not {_location!r}.")
    PRESSCENTRE_EDGE_CACHES[f"varnish{_number}"] = {"kind": "varnish", "location": _location}
if os.environ.get("PRESSCENTRE_CLOUDFLARE_ZONE_ID", "").strip():
    if not os.environ.get("PRESSCENTRE_CLOUDFLARE_API_TOKEN", "").strip():
        raise ImproperlyConfigured("Set PRESSCENTRE_CLOUDFLARE_API_TOKEN with PRESSCENTRE_CLOUDFLARE_ZONE_ID.")
    PRESSCENTRE_EDGE_CACHES["cloudflare"] = {
        "kind": "cloudflare",
        "zone_id": os.environ["PRESSCENTRE_CLOUDFLARE_ZONE_ID"].strip(),
        "token": os.environ["PRESSCENTRE_CLOUDFLARE_API_TOKEN"].strip(),
    }
if os.environ.get("PRESSCENTRE_FASTLY_SERVICE_ID", "").strip():
    if not os.environ.get("PRESSCENTRE_FASTLY_API_TOKEN", "").strip():
        raise ImproperlyConfigured("Set PRESSCENTRE_FASTLY_API_TOKEN with PRESSCENTRE_FASTLY_SERVICE_ID.")
    PRESSCENTRE_EDGE_CACHES["fastly"] = {
        "kind": "fastly",
        "service_id": os.environ["PRESSCENTRE_FASTLY_SERVICE_ID"].strip(),
        "token": os.environ["PRESSCENTRE_FASTLY_API_TOKEN"].strip(),
    }
if os.environ.get("PRESSCENTRE_CLOUDFRONT_DISTRIBUTION_ID", "").strip():
    # CloudFront purges by URL only: every purge invalidates the whole distribution ("/*").
    PRESSCENTRE_EDGE_CACHES["cloudfront"] = {
        "kind": "everything",
        "distribution_id": os.environ["PRESSCENTRE_CLOUDFRONT_DISTRIBUTION_ID"].strip(),
    }

# HTTPS everywhere once DEBUG is off (`manage.py check --deploy` passes with these defaults). Behind a proxy
# that terminates TLS, name the header it sets (SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto) so that Django
# knows a request was secure; SECURE_SSL_REDIRECT=false leaves the redirect to that proxy.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True
_proxy_ssl_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
# Proxies (addresses or CIDR networks, comma-separated) whose X-Forwarded-For is believed: the client address
# is the first one, reading that header from the right, outside them. Empty: trust nobody, use REMOTE_ADDR.
PRESSCENTRE_TRUSTED_PROXIES = checked_networks(
    env_list("PRESSCENTRE_TRUSTED_PROXIES", default=[]), name="PRESSCENTRE_TRUSTED_PROXIES"
)

# Content Security Policy (django-csp): public pages run no inline script and load nothing from elsewhere,
# except media on object storage (PRESSCENTRE_CSP_MEDIA_ORIGINS, defaulting to the bucket's own domain).
# The ALTCHA widget adds one stylesheet of its own, allowed by its hash, and solves its puzzle in blob: workers;
# a test checks the hash against the widget we ship. Wagtail's admin writes inline scripts, so admin paths get
# a looser policy of their own (docs/security.md). Only Wagtail's previews may be framed, by the admin itself.
_media_origins = env_list(
    "PRESSCENTRE_CSP_MEDIA_ORIGINS",
    default=[
        origin
        for origin in [
            f"https://{os.environ['AWS_S3_CUSTOM_DOMAIN'].strip()}" if os.environ.get("AWS_S3_CUSTOM_DOMAIN") else "",
            os.environ.get("AWS_S3_ENDPOINT_URL", "").strip(),
        ]
        if origin
    ],
)
for _origin in _media_origins:
    if not re.fullmatch(r"https?://[^\s;,']+", _origin):
        raise ImproperlyConfigured(f"PRESSCENTRE_CSP_MEDIA_ORIGINS must list http(s) origins, not {_origin!r}.")
ALTCHA_STYLE_HASH = "'sha256-pg+oQARqMq4wCazyrsMt8HY89BJkXkEFkwNWxg2iPdg='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", ALTCHA_STYLE_HASH],
        "img-src": ["'self'", "data:", *_media_origins],
        "media-src": ["'self'", *_media_origins],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
PRESSCENTRE_ADMIN_PATH_PREFIXES = ["/admin/", "/django-admin/"]
PRESSCENTRE_ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_media_origins],
        "font-src": ["'self'", "data:"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
    },
}
# A preview is the public page as it will be, framed by the admin's own preview panel (its own origin only).
PRESSCENTRE_PREVIEW_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"], "frame-ancestors": ["'self'"]},
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Comments: the challenge's time limit, the fastest a human fills the form, and the per-IP posting limit.
PRESSCENTRE_COMMENT_CHALLENGE_MINUTES = env_int("PRESSCENTRE_COMMENT_CHALLENGE_MINUTES", default=20, minimum=1)
PRESSCENTRE_COMMENT_MIN_FILL_SECONDS = env_int("PRESSCENTRE_COMMENT_MIN_FILL_SECONDS", default=3)
PRESSCENTRE_COMMENT_RATE_LIMIT = env_int("PRESSCENTRE_COMMENT_RATE_LIMIT", default=5, minimum=1)
PRESSCENTRE_COMMENT_RATE_LIMIT_MINUTES = env_int("PRESSCENTRE_COMMENT_RATE_LIMIT_MINUTES", default=10, minimum=1)
# The proof of work's size: a browser tries up to this many hashes (about half on average).
PRESSCENTRE_COMMENT_ALTCHA_MAX_NUMBER = env_int("PRESSCENTRE_COMMENT_ALTCHA_MAX_NUMBER", default=100_000, minimum=1000)
# Optional Akismet spam check; empty keeps it off (it sends commenters' data to Automattic).
PRESSCENTRE_AKISMET_KEY = os.environ.get("PRESSCENTRE_AKISMET_KEY", "").strip()
# Commenters' IP addresses and browser names are erased after this many days.
PRESSCENTRE_COMMENT_IP_RETENTION_DAYS = env_int("PRESSCENTRE_COMMENT_IP_RETENTION_DAYS", default=30, minimum=1)

# Sending releases by email (docs/distribution.md, "When things fail"). A sending worker claims this many recipients
# at a time on each of this many SMTP connections, and renews its claim every heartbeat; a claim not renewed for the
# lease is a dead or frozen worker's, whose untried recipients go to another worker. A 4xx answer or an unreachable
# server is retried after the retry seconds, doubling each time, up to the attempts.
PRESSCENTRE_DISTRIBUTION_BATCH_SIZE = env_int(
    "PRESSCENTRE_DISTRIBUTION_BATCH_SIZE", default=50, minimum=1, maximum=1000
)
PRESSCENTRE_DISTRIBUTION_CONNECTIONS = env_int("PRESSCENTRE_DISTRIBUTION_CONNECTIONS", default=4, minimum=1, maximum=32)
PRESSCENTRE_DISTRIBUTION_HEARTBEAT_SECONDS = env_int(
    "PRESSCENTRE_DISTRIBUTION_HEARTBEAT_SECONDS", default=10, minimum=1, maximum=600
)
PRESSCENTRE_DISTRIBUTION_LEASE_SECONDS = env_int(
    "PRESSCENTRE_DISTRIBUTION_LEASE_SECONDS", default=60, minimum=3, maximum=3600
)
if PRESSCENTRE_DISTRIBUTION_LEASE_SECONDS < 3 * PRESSCENTRE_DISTRIBUTION_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        f"PRESSCENTRE_DISTRIBUTION_LEASE_SECONDS ({PRESSCENTRE_DISTRIBUTION_LEASE_SECONDS}) must be at least three "
        f"times PRESSCENTRE_DISTRIBUTION_HEARTBEAT_SECONDS ({PRESSCENTRE_DISTRIBUTION_HEARTBEAT_SECONDS}): a sending "
        "worker renews its claim every heartbeat, and one not renewed within the lease is taken for dead."
    )
PRESSCENTRE_DISTRIBUTION_RETRY_SECONDS = env_int(
    "PRESSCENTRE_DISTRIBUTION_RETRY_SECONDS", default=30, minimum=1, maximum=3600
)
PRESSCENTRE_DISTRIBUTION_MAX_ATTEMPTS = env_int(
    "PRESSCENTRE_DISTRIBUTION_MAX_ATTEMPTS", default=5, minimum=1, maximum=20
)
