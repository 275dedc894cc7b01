"""Redis down, frozen or cut off from one process: the site still serves every page from the database, a publish
goes live with its audit entry, and no page cached before the outage is served once a publish made during it has
changed it (issue 17, defects 3, 4 and 6).

Each test runs its own redis-server on a free port (`redis_server.py`); the shared Redis is never stopped.
"""

import contextlib
import logging
import signal
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from presscentre.comments.models import Comment
from presscentre.comments.tests.factories import filled_form
from presscentre.newsroom.models import PressReleasePage
from presscentre.newsroom.tests.factories import ArticleFactory, CategoryFactory
from presscentre.pagecache import cache_backend, purge
from presscentre.pagecache.models import MissedPurge
from presscentre.pagecache.tests.redis_server import RedisServer, SilentServer, free_port

FAIL_SOFT = "presscentre.pagecache.cache_backend.FailSoftRedisCache"
PUBLIC_PAGES = ["/", "/category/economy/", "/feed/", "/feed/atom/", "/sitemap.xml", "/search/?q=without"]


def fail_soft(location: str, *, timeout: float = 0.5) -> dict:
    """The production cache setting (settings.py) for a Redis at `location`."""
    options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    return {"default": {"BACKEND": FAIL_SOFT, "LOCATION": location, "OPTIONS": options}}


@pytest.fixture(autouse=True)
def _no_outage_carried_over():
    cache_backend.forget_health()
    yield
    cache_backend.forget_health()


@pytest.fixture
def own_redis(tmp_path, settings):
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = fail_soft(server.url())
    yield server
    server.stop()
    # The page cache fixtures clear the cache after the test: let them clear a local one.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}


@pytest.fixture
def item(newsroom):
    topic = CategoryFactory(name="Economy", slug="economy")
    return ArticleFactory(parent=newsroom, title="Served without Redis", slug="standing", categories=[topic])


@pytest.fixture
def queue(settings, db, monkeypatch):
    """Tasks go to the database queue, as in production, and `run()` works through the ready ones: the worker's
    own loop, kept from closing the test's connection (which holds the test's transaction)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)

    def run():
        call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)

    return run


@contextlib.contextmanager
def deadline(seconds: int):
    """Fail the block if it runs longer than `seconds` (a frozen call would otherwise hang the test run)."""

    def expired(signum, frame):
        raise TimeoutError(f"still waiting after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def publish_new_title(page, title: str, capture) -> None:
    page.title = title
    with capture(execute=True):
        page.save_revision().publish()


# Defect 3: Redis down is not the site down


@pytest.mark.parametrize("fault", ["stopped", "frozen"])
def test_every_public_page_is_served_from_the_database_while_redis_is_down(own_redis, wsgi, item, fault):
    own_redis.stop() if fault == "stopped" else own_redis.freeze()

    with deadline(30):
        responses = {url: wsgi.get(url) for url in [*PUBLIC_PAGES, item.url]}

    assert {url: response.status_code for url, response in responses.items()} == dict.fromkeys(responses, 200)
    assert all(response.cache_state == "miss" for response in responses.values())
    assert b"Served without Redis" in responses[item.url].content
    assert b"Served without Redis" in responses["/"].content


def test_an_editor_publishes_through_the_admin_while_redis_is_down(
    own_redis, newsroom, admin_client, django_capture_on_commit_callbacks
):
    own_redis.stop()
    url = reverse("wagtailadmin_pages:add", args=["newsroom", "pressreleasepage", newsroom.pk])
    data = nested_form_data(
        {
            "title": "Published in an outage",
            "slug": "published-in-an-outage",
            "subheadline": "",
            "published_at": "2025-02-03 09:30",
            "embargo_until": "",
            "embargo_time_zone": "Europe/London",
            "dateline_place": "Leeds",
            "lead": "The cache was down.",
            "summary": "",
            "category_links": inline_formset([]),
            "person_links": inline_formset([]),
            "contact_links": inline_formset([]),
            "media_assets": inline_formset([]),
            "body": streamfield([("paragraph", rich_text("<p>Still published.</p>"))]),
            "notes_to_editors": rich_text(""),
            "boilerplate": "",
            "comments_open": "",
            "action-publish": "publish",
        }
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)

    assert response.status_code == 302
    release = PressReleasePage.objects.get(slug="published-in-an-outage")
    assert release.live
    assert PageLogEntry.objects.filter(page=release, action="wagtail.publish").exists()
    # The purge the cache could not take is kept for when it answers again.
    assert [f"item-{release.pk}" in missed.tags for missed in MissedPurge.objects.all()] == [True]


def test_a_publish_goes_live_with_its_audit_entry_even_when_the_cache_raises(
    settings, item, django_capture_on_commit_callbacks
):
    # Not the fail-soft backend: Django's own, whose every call raises while Redis is unreachable.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    try:
        publish_new_title(item, "Corrected in an outage", django_capture_on_commit_callbacks)
    finally:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}}

    item.refresh_from_db()
    assert item.live and item.title == "Corrected in an outage"
    assert PageLogEntry.objects.filter(page=item, action="wagtail.publish").exists()
    assert MissedPurge.objects.count() == 1


def test_a_comment_posted_while_redis_is_down_is_refused_without_an_error(own_redis, newsroom, reader, time_machine):
    """Fails closed: no ticket can be marked used while the store of used tickets is down, so none is accepted
    (accepting them would let one ticket be replayed for as long as the outage lasts)."""
    issued = timezone.now()
    article = ArticleFactory(parent=newsroom, comments_open=True, published_at=issued - timedelta(days=1))
    data = filled_form(article, at=issued)
    own_redis.stop()
    time_machine.move_to(issued + timedelta(seconds=30), tick=False)

    response = reader.post(f"/comments/post/{article.pk}/", data)

    assert response.status_code == 400
    assert not Comment.objects.exists()
    assert "Comments are paused for a minute" in response.content.decode()
    assert data["body"] in response.content.decode()  # what the reader typed is kept


# Defect 4: what the cache missed while down is not served when it returns


def test_a_page_cached_before_an_outage_is_not_served_after_a_publish_made_during_it(
    own_redis, wsgi, item, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(cache_backend.FailSoftRedisCache, "PAUSE_SECONDS", 0.2)
    for url in ("/", item.url):
        wsgi.get(url)
        assert wsgi.get(url).cache_state == "hit"
    own_redis.freeze()

    with deadline(30):
        publish_new_title(item, "Corrected in an outage", django_capture_on_commit_callbacks)
        during = wsgi.get(item.url)
    own_redis.thaw()

    assert b"Corrected in an outage" in during.content
    assert MissedPurge.objects.count() == 1
    # Every read after Redis returns shows the correction, and the cache serves it again within the pause.
    states = []
    with deadline(20):
        while "hit" not in states:
            responses = [wsgi.get(url) for url in ("/", item.url)]
            assert all(b"Corrected in an outage" in response.content for response in responses)
            states += [response.cache_state for response in responses]
    assert not MissedPurge.objects.exists()


def test_a_purge_one_process_missed_reaches_the_others_by_its_retry(
    own_redis, settings, wsgi, item, queue, django_capture_on_commit_callbacks, time_machine
):
    """The publishing process cannot reach Redis while the app servers can: they never saw an outage, so only
    the missed purge, kept in the database and retried by the worker, can tell them."""
    reachable = fail_soft(own_redis.url())
    server = wsgi  # an app server that reaches Redis throughout
    for url in ("/", item.url):
        server.get(url)
        assert server.get(url).cache_state == "hit"

    settings.CACHES = fail_soft(f"redis://127.0.0.1:{free_port()}/0")  # the publishing process's view: nothing
    publish_new_title(item, "Corrected in an outage", django_capture_on_commit_callbacks)
    settings.CACHES = reachable

    assert b"Corrected in an outage" not in server.get(item.url).content  # the purge has not reached Redis yet
    time_machine.move_to(timezone.now() + purge.MISSED_RETRY_DELAYS[0], tick=True)
    queue()

    for url in ("/", item.url):
        response = server.get(url)
        assert (response.cache_state, b"Corrected in an outage" in response.content) == ("miss", True), url
    assert not MissedPurge.objects.exists()


def test_a_missed_purge_is_retried_until_the_cache_takes_it(
    own_redis, settings, item, queue, django_capture_on_commit_callbacks, time_machine
):
    settings.CACHES = fail_soft(f"redis://127.0.0.1:{free_port()}/0")
    publish_new_title(item, "Corrected in an outage", django_capture_on_commit_callbacks)

    for attempt in range(1, 6):  # past the last delay, which then repeats
        time_machine.move_to(timezone.now() + purge.MISSED_RETRY_DELAYS[-1], tick=True)
        queue()
        assert MissedPurge.objects.count() == 1, attempt
    settings.CACHES = fail_soft(own_redis.url())
    time_machine.move_to(timezone.now() + purge.MISSED_RETRY_DELAYS[-1], tick=True)
    queue()

    assert not MissedPurge.objects.exists()


# The backend itself


def test_a_frozen_redis_costs_one_timeout_per_pause_not_one_per_call(settings, db):
    frozen = SilentServer()
    settings.CACHES = fail_soft(f"redis://127.0.0.1:{frozen.port}/0", timeout=0.3)
    try:
        with deadline(10):
            results = [cache.get("pagecache:test", "default") for _ in range(20)]
            stored = [cache.add("pagecache:test", 1) for _ in range(5)]
    finally:
        frozen.close()

    assert results == ["default"] * 20
    assert stored == [False] * 5
    assert len(frozen.connections) == 1


def test_a_frozen_redis_does_not_hold_a_page_request_beyond_its_timeout(settings, wsgi, item):
    frozen = SilentServer()
    settings.CACHES = fail_soft(f"redis://127.0.0.1:{frozen.port}/0", timeout=0.5)
    try:
        with deadline(10):
            first, second = wsgi.get(item.url), wsgi.get("/")
    finally:
        frozen.close()

    assert (first.status_code, second.status_code) == (200, 200)
    assert b"Served without Redis" in first.content


def test_an_outage_is_logged_once_and_its_end_once(own_redis, monkeypatch, caplog, db):
    monkeypatch.setattr(cache_backend.FailSoftRedisCache, "PAUSE_SECONDS", 0)  # ask Redis again at every call
    own_redis.stop()

    with caplog.at_level(logging.WARNING, logger="presscentre.pagecache.cache_backend"):
        for _ in range(5):
            cache.set("pagecache:test", 1)
        own_redis.start()
        cache.set("pagecache:test", 2)
        cache.set("pagecache:test", 3)

    assert [record.levelname for record in caplog.records] == ["ERROR", "WARNING"]
    assert "unreachable" in caplog.records[0].getMessage()
    assert "answers again" in caplog.records[1].getMessage()
    assert cache.get("pagecache:test") == 3


def test_strict_calls_learn_that_a_write_did_not_arrive(own_redis):
    own_redis.stop()

    with pytest.raises(cache_backend.CacheUnavailable), cache_backend.strict():
        cache.set("pagecache:test", 1)
    assert not cache.available
    with pytest.raises(cache_backend.CacheUnavailable), cache_backend.strict():
        cache.set("pagecache:test", 1)  # during the pause: at once, without asking Redis
    assert cache.get("pagecache:test", "missed") == "missed"  # outside strict(): a miss


def test_the_recovery_runs_before_the_call_that_found_redis_back(own_redis, monkeypatch, db):
    monkeypatch.setattr(cache_backend.FailSoftRedisCache, "PAUSE_SECONDS", 0)
    cache.set("pagecache:test", "old")
    own_redis.freeze()
    start = time.monotonic()
    assert cache.get("pagecache:test") is None
    assert time.monotonic() - start < 10  # the read timeout, not the kernel's
    own_redis.thaw()
    monkeypatch.setattr(cache_backend, "_recovery_callbacks", [lambda: cache.set("pagecache:test", "new")])

    assert cache.get("pagecache:test") == "new"
