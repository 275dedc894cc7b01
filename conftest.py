"""Fixtures shared by every app: the site tree, users and hermetic test settings."""

import logging
import os

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches


def pytest_configure(config):
    # Each page save runs indexing tasks that log at INFO; failures are easier to read without them.
    for name in ("django_tasks", "wagtail"):
        logging.getLogger(name).setLevel(logging.WARNING)


def pytest_collection_modifyitems(config, items):
    on_postgres = "postgres" in os.environ.get("DATABASE_URL", "")
    if on_postgres:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run make test-postgres")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_report_header(config):
    return f"database: {django_settings.DATABASES['default']['ENGINE']}"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, test in a WAL file rather than in memory, so that threads get connections of their own
    and concurrency tests (two lifters at once) exercise real locking, as on PostgreSQL."""
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("database") / "test.sqlite3")


@pytest.fixture(autouse=True)
def _hermetic_settings(settings, tmp_path):
    """Fast hashing, private media, immediate tasks and a non-UTC zone so UTC assumptions break here first."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.TIME_ZONE = "America/New_York"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    caches["default"].clear()  # a local-memory cache outlives its settings: start every test empty
    # A test's requests and changes run in one process, so the local cache serves the site memory as Redis would.
    settings.PRESSCENTRE_SITE_MEMO = True
    settings.STORAGES = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def newsroom(db):
    """The press centre index as the default site's root page, like the demo."""
    from wagtail.models import Page, Site

    from presscentre.newsroom.models import PressCentrePage

    root = Page.get_first_root_node()
    index = root.add_child(instance=PressCentrePage(title="Press Centre", slug="press-centre"))
    site = Site.objects.get(is_default_site=True)
    site.root_page = index
    site.save()
    Site.clear_site_root_paths_cache()
    return index


@pytest.fixture
def editor(db, django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", "editor-password")


@pytest.fixture
def reader(client):
    """An anonymous reader's browser."""
    return client
