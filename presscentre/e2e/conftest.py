"""A real browser against a real server: Debian's chromium, driven by Playwright, on the demo content.

One browser, one server thread and one load of the demo serve the whole package, so the journeys stay quick.
The content is committed (the server thread has connections of its own), so the package puts the database back
as it found it when it finishes (the fixtures are package-scoped: a pytest-xdist worker goes on to other files).
Locally the package skips when chromium, Playwright, npm or axe-core is missing; in CI (CI=true) it fails instead,
so a broken install step cannot pass as green.
"""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import override_settings
from django.test.testcases import LiveServerThread
from django.test.utils import setup_databases, teardown_databases
from django.utils import timezone

CHROMIUM = Path("/usr/bin/chromium")
AXE_SOURCE = Path(django_settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(django_settings.BASE_DIR) / "artifacts" / "screenshots"
EDITOR_USERNAME = "e2e-editor"
EDITOR_PASSWORD = "e2e-editor-password"  # noqa: S105 (a throwaway account in the test database)
# Root runs chromium without its sandbox; the rest keeps it off a network it cannot reach.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


def missing_requirements() -> list[str]:
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        missing.append(f"Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    if shutil.which("npm") is None:
        missing.append("npm (apt-get install npm)")
    if not AXE_SOURCE.exists():
        missing.append("axe-core in node_modules (make node_modules/.installed, or npm ci --ignore-scripts)")
    return missing


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


CALL_FAILED = pytest.StashKey[bool]()


@pytest.fixture(autouse=True)
def _screenshot_on_failure(request):
    """When a journey fails, keep a picture of every open page under artifacts/screenshots/failed/."""
    yield
    if not request.node.stash.get(CALL_FAILED, False) or "browser" not in request.fixturenames:
        return
    folder = SCREENSHOTS / "failed"
    folder.mkdir(parents=True, exist_ok=True)
    browser = request.getfixturevalue("browser")
    for number, page in enumerate(page for context in browser.contexts for page in context.pages):
        page.screenshot(path=str(folder / f"{request.node.name}-{number}.png"), full_page=True)


@pytest.fixture(scope="session")
def _browser_requirements():
    missing = missing_requirements()
    if missing:
        message = "browser tests need " + "; ".join(missing)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@dataclass
class LiveSite:
    url: str
    media_root: Path

    def __call__(self, path: str) -> str:
        return f"{self.url}{path}"


def hermetic_session_settings(media_root: Path) -> dict:
    """What the root conftest sets per test, for the content loaded once for the package."""
    return {
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "MEDIA_ROOT": media_root,
        "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        "TIME_ZONE": "America/New_York",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}},
        "STORAGES": {
            **django_settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    }


@pytest.fixture(scope="package")
def live_site(request, _browser_requirements, django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo press centre, served on a free port of 127.0.0.1 by a server thread, for the whole package."""
    media_root = tmp_path_factory.mktemp("e2e-media")
    with override_settings(**hermetic_session_settings(media_root)), django_db_blocker.unblock():
        _ensure_test_database(request)
        restore = _snapshot_database()
        try:
            _load_content()
            server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
            server.daemon = True
            server.start()
            server.is_ready.wait()
            if server.error:
                raise server.error
            try:
                yield LiveSite(url=f"http://127.0.0.1:{server.port}", media_root=media_root)
            finally:
                server.terminate()
        finally:
            restore()
            cache.clear()


def _ensure_test_database(request) -> None:
    """pytest-django creates the test database only when some collected test asks for `db`; tests here never
    do (their transaction would hide data from the server thread), so when this package runs alone, create it."""
    if connection.settings_dict["NAME"] == connection.creation._get_test_db_name():
        return
    keepdb = request.config.getvalue("reuse_db") and not request.config.getvalue("create_db")
    config = setup_databases(verbosity=0, interactive=False, aliases={DEFAULT_DB_ALIAS}, keepdb=keepdb)
    if not keepdb:
        blocker = request.getfixturevalue("django_db_blocker")

        def teardown():
            with blocker.unblock():
                teardown_databases(config, verbosity=0)

        request.addfinalizer(teardown)


def _snapshot_database():
    """Serialize the database as the suite left it, and return the function that puts it back.

    A transactional test earlier in the run may have flushed it; then the data migrations' rows (root page,
    default site, groups) come back from pytest-django's own serialization, when it made one.
    """
    from wagtail.models import Page

    if not Page.objects.exists():
        saved = getattr(connection, "_test_serialized_contents", None)
        if not saved:
            pytest.fail("the test database has no root page: run with --create-db", pytrace=False)
        _deserialize(saved)
    snapshot = connection.creation.serialize_db_to_string()

    def restore():
        call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
        _deserialize(snapshot)

    return restore


def _deserialize(serialized: str) -> None:
    """Load serialized rows with their own keys, then move PostgreSQL's sequences past them."""
    connection.creation.deserialize_db_from_string(serialized)
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _load_content():
    from django.contrib.auth import get_user_model

    from presscentre.comments.demo import load_demo_comments
    from presscentre.newsroom import demo

    now = timezone.now()
    with mock.patch.object(demo, "DEMO_ITEMS", lean_demo_items(demo.DEMO_ITEMS)):
        demo.load_demo_data(at=now, admin_username=EDITOR_USERNAME, admin_password=EDITOR_PASSWORD)
    load_demo_comments(at=now)
    assert get_user_model().objects.filter(username=EDITOR_USERNAME, is_superuser=True).exists()
    cache.clear()


def lean_demo_items(items: tuple) -> tuple:
    """The demo's newest few items of each type, and one report with a PDF and one appearance with a recording.

    Every page the journeys visit is there, in a quarter of the time the whole demo takes to load.
    """
    kept = []
    for kind in dict.fromkeys(item.kind for item in items):
        kept += sorted((item for item in items if item.kind is kind), key=lambda item: item.days_ago)[:3]
    kept.append(next(item for item in items if item.details.get("pdf")))
    kept.append(next(item for item in items if item.details.get("audio")))
    slugs = {item.slug for item in kept}
    return tuple(item for item in items if item.slug in slugs)


@pytest.fixture(autouse=True)
def _site_settings(request, _hermetic_settings, settings):
    """Keep the package's media folder over the root conftest's per-test one, put absolute URLs on the live
    server, and let a robot fill the form fast."""
    if "live_site" not in request.fixturenames:
        yield
        return
    site = request.getfixturevalue("live_site")
    settings.MEDIA_ROOT = site.media_root
    # Absolute links (a journalist's link, share links, feeds) lead to the server the browser is using.
    settings.PRESSCENTRE_PUBLIC_URL = site.url
    settings.PRESSCENTRE_COMMENT_MIN_FILL_SECONDS = 0
    settings.PRESSCENTRE_COMMENT_ALTCHA_MAX_NUMBER = 5000
    yield
    # Queries a test makes while Playwright's loop runs get a connection of their own; close it before the
    # suite drops the test database (PostgreSQL refuses while a session is open).
    connections.close_all()


@pytest.fixture(scope="package")
def browser(_browser_requirements):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django refuses database calls beside one unless
    # told that this is deliberate. Tests here call services between browser steps, as an operator would. Only
    # for the package: the worker's later files start processes (`check --deploy`) that must not inherit it.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        if "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ:
            patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def reader_context(browser, live_site):
    """An anonymous reader's browser, kept for the package (cookies and all)."""
    context = browser.new_context(base_url=live_site.url, viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def reader_page(reader_context):
    page = reader_context.pages[0] if reader_context.pages else reader_context.new_page()
    return page


@pytest.fixture(scope="package")
def editor_context(browser, live_site):
    """A press officer signed in to the Wagtail admin."""
    context = browser.new_context(base_url=live_site.url, viewport=DESKTOP)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(EDITOR_USERNAME)
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")
    yield context
    context.close()


@pytest.fixture
def editor_page(editor_context):
    return editor_context.pages[0]


DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
