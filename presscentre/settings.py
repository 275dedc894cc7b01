"""The only settings module: every value comes from the environment (see .env.example)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from presscentre.core.env import env_flag, env_int, env_list, env_time_zone

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
    "django_altcha",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.frontend_cache",
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
    "django.middleware.security.SecurityMiddleware",
    "presscentre.core.middleware.never_cache_not_found",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "presscentre.importers.middleware.redirect_wordpress_post_ids",
    "presscentre.syndication.middleware.wordpress_search_redirect",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "presscentre"}}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_time_zone("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_collected"
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
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "press@localhost")

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = os.environ.get("WAGTAIL_SITE_NAME", "Press Centre")
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILIMAGES_IMAGE_MODEL = "core.PressCentreImage"
WAGTAILDOCS_DOCUMENT_MODEL = "core.PressCentreDocument"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "mp3", "m4a", "mp4", "ogg", "odt", "pdf", "pptx", "txt", "wav", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = env_int("WAGTAILDOCS_MAX_UPLOAD_SIZE", default=200 * 1024 * 1024, minimum=1)
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILEMBEDS_RESPONSIVE_HTML = True

PRESSCENTRE_ITEMS_PER_PAGE = env_int("PRESSCENTRE_ITEMS_PER_PAGE", default=20, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO").upper()},
}

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
