"""The shared cache for real: two application instances (two app servers) on one Redis.

These tests fail, not skip, when Redis is not running: the page cache's promise rests on it.
"""

import pytest
from django.core.cache import cache

from presscentre.newsroom.tests.factories import ArticleFactory
from presscentre.pagecache import cache_backend
from presscentre.pagecache.tests.wsgi_client import WSGIClient

REDIS_URL = "redis://127.0.0.1:6379/7"


@pytest.fixture
def redis_cache(settings):
    backend = "presscentre.pagecache.cache_backend.FailSoftRedisCache"  # the production backend
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 1}
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": REDIS_URL, "OPTIONS": options}}
    # The fail-soft backend would take a missing Redis for an outage and serve on: ask it for certain.
    try:
        with cache_backend.strict():
            cache.clear()
    except Exception as error:
        pytest.fail(f"Redis is needed at {REDIS_URL}: {error}")
    yield cache
    cache.clear()


@pytest.fixture
def servers(redis_cache, wsgi):
    return WSGIClient(), WSGIClient()


def test_a_page_stored_by_one_server_is_a_hit_on_the_other(servers, newsroom):
    first, second = servers
    item = ArticleFactory(parent=newsroom, title="Shared across servers", comments_open=True)

    stored = first.get(item.url)
    served = second.get(item.url)

    assert (stored.cache_state, served.cache_state) == ("miss", "hit")
    assert b"Shared across servers" in served.content
    assert b"<esi:include" not in served.content


def test_a_purge_from_one_server_is_seen_by_the_other(servers, newsroom, django_capture_on_commit_callbacks):
    first, second = servers
    item = ArticleFactory(parent=newsroom, title="Before the correction")
    first.get("/")
    first.get(item.url)
    item.title = "After the correction"

    with django_capture_on_commit_callbacks(execute=True):
        item.save_revision().publish()  # in a third process, as the admin or a worker would

    for url in ("/", item.url):
        response = second.get(url)
        assert response.cache_state == "miss"
        assert b"After the correction" in response.content


def test_listing_totals_are_shared_and_recounted_after_a_purge(redis_cache, newsroom, client):
    from presscentre.pagecache import services

    calls = []
    assert services.cached_count("index", lambda: calls.append(1) or 7) == 7
    assert services.cached_count("index", lambda: calls.append(1) or 8) == 7
    services.purge_listings()

    assert services.cached_count("index", lambda: calls.append(1) or 8) == 8
    assert len(calls) == 2


def test_the_redis_backend_reuses_its_client_and_still_reads_and_writes(redis_cache):
    redis_cache.set("pagecache:test:reuse", {"a": 1}, timeout=30)

    assert redis_cache.get("pagecache:test:reuse") == {"a": 1}
    assert redis_cache.get_many(["pagecache:test:reuse", "pagecache:test:absent"]) == {"pagecache:test:reuse": {"a": 1}}
    assert redis_cache._cache.get_client() is redis_cache._cache.get_client()
