"""Fixtures shared by every app: the site tree, users and hermetic test settings."""

import logging
import os

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches

# `edge_purges`: a recording stand-in for Varnish that the app's tag purges reach over HTTP.
pytest_plugins = ["presscentre.pagecache.tests.edge_server"]


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


# -- parallel runs (`make test` and `make test-postgres` run pytest-xdist's workers) ---------------------------

# The browser journeys share one browser, one server and one load of the demo across their package, so the package
# goes to one worker as a whole; every other file is a unit of its own (module fixtures such as the scale-out
# stack and its fixed ports stay on one worker). The units that take longest go out first, so that no worker is
# left alone with one of them at the end of the run.
ONE_UNIT_PACKAGES = ("presscentre/e2e/",)
LONGEST_UNITS = (
    "presscentre/e2e/",
    "presscentre/system/test_demo_processes.py",
    "presscentre/system/test_scale_out.py",
)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") not in ("load", "loadfile"):
        return None  # an explicit --dist each, loadscope, loadgroup or worksteal keeps its meaning
    from xdist.scheduler import LoadScopeScheduling

    class FilesAndPackages(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return next((package for package in ONE_UNIT_PACKAGES if path.startswith(package)), path)

        def _assign_work_unit(self, node) -> None:
            for unit in reversed(LONGEST_UNITS):
                if unit in self.workqueue:
                    self.workqueue.move_to_end(unit, last=False)
            super()._assign_work_unit(node)

    return FilesAndPackages(config, log)


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by emptying the database, migrations' rows too (root page, default site, groups).

    Run alone, pytest-django puts such tests after every other database test; a pytest-xdist worker goes on to
    other files, so the rows the migrations made come back here, from the copy taken when the database was set up.
    """
    result = yield
    if _transactional(item):
        from django.apps import apps
        from django.core.management.color import no_style
        from django.db import connection
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            saved = getattr(connection, "_test_serialized_contents", None)
            if not saved:
                raise RuntimeError(
                    f"{item.nodeid} empties the database: mark it "
                    "@pytest.mark.django_db(transaction=True, serialized_rollback=True) so that it can be put back"
                )
            connection.creation.deserialize_db_from_string(saved)
            models = apps.get_models(include_auto_created=True)
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)
    return result


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


@pytest.fixture(autouse=True)
def private_media(_hermetic_settings, tmp_path):
    """The private storage (download sizes, ZIPs) in the test's own folder, and back afterwards. A FileField holds
    the storage object made when its model was defined, and `storages` makes another when settings change: both
    are pointed at the folder."""
    from django.apps import apps
    from django.core.files.storage import storages

    fields = [apps.get_model("core", "ImageDownload")._meta.get_field("file")]
    if apps.is_installed("presscentre.mediakit"):
        fields.append(apps.get_model("mediakit", "ItemArchive")._meta.get_field("file"))
    objects = {id(storage): storage for storage in [storages["private"], *(field.storage for field in fields)]}
    saved = {key: storage._location for key, storage in objects.items()}

    def point(storage, location):
        storage._location = location
        for name in ("base_location", "location"):
            storage.__dict__.pop(name, None)

    for storage in objects.values():
        point(storage, str(tmp_path / "private_media"))
    yield tmp_path / "private_media"
    for key, storage in objects.items():
        point(storage, saved[key])


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
