"""A listing stored before a pending lift tells every reader the usual lifetimes, at every serve: the headers
never count down to the lift (that would tell anyone an embargo is pending, and when it lifts). The lift
reaches the caches by its purge; the app's own copy also stops at the lift, invisibly."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from presscentre.newsroom.tests.factories import ArticleFactory, PressReleaseFactory
from presscentre.pagecache import services
from presscentre.pagecache import wsgi as pagecache_wsgi

LIFT = datetime(2031, 3, 2, 9, 0, tzinfo=UTC)
USUAL = "public, max-age=60, s-maxage=600"


@pytest.fixture
def pending(newsroom):
    return PressReleaseFactory(parent=newsroom, slug="later", embargo_until=LIFT, published_at=LIFT)


def at(seconds_before_lift: float):
    return time_machine.travel(LIFT - timedelta(seconds=seconds_before_lift), tick=False)


def test_hits_close_to_the_lift_keep_the_usual_lifetimes(wsgi, pending):
    with at(30):
        stored = wsgi.get("/")
    with at(10):
        hit = wsgi.get("/")
    with at(0.5):
        last = wsgi.get("/")

    assert stored.cache_state == "miss" and stored["Cache-Control"] == USUAL
    assert hit.cache_state == "hit" and hit["Cache-Control"] == USUAL
    assert last.cache_state == "hit" and last["Cache-Control"] == USUAL


def test_a_revalidation_on_a_hit_carries_the_usual_lifetimes(wsgi, pending):
    with at(30):
        etag = wsgi.get("/")["ETag"]
    with at(20):
        not_modified = wsgi.get("/", HTTP_IF_NONE_MATCH=etag)

    assert not_modified.status_code == 304
    assert not_modified["Cache-Control"] == USUAL


def test_the_app_copy_stops_at_the_lift_without_a_purge(wsgi, pending):
    with at(30):
        wsgi.get("/")
    with at(-2):
        after = wsgi.get("/")

    assert after.cache_state == "miss" and after["Cache-Control"] == USUAL and b"/later/" in after.content


def test_item_pages_are_not_cut_short_by_another_items_embargo(wsgi, newsroom, pending):
    item = ArticleFactory(parent=newsroom, slug="standing", comments_open=False, published_at=LIFT - timedelta(days=1))
    with at(30):
        wsgi.get(item.url)
    with at(-2):
        hit = wsgi.get(item.url)

    assert hit.cache_state == "hit" and hit["Cache-Control"] == USUAL


def test_a_hit_before_the_lift_stays_one_cache_round_trip_and_no_query(wsgi, pending, monkeypatch):
    with at(30):
        wsgi.get("/")
    calls = []
    real = pagecache_wsgi.cache

    class CountingCache:
        def __getattr__(self, name):
            calls.append(name)
            return getattr(real, name)

    monkeypatch.setattr(pagecache_wsgi, "cache", CountingCache())
    monkeypatch.setattr(services, "cache", CountingCache())
    with at(10), CaptureQueriesContext(connection) as queries:
        hit = wsgi.get("/")

    assert hit.cache_state == "hit" and hit["Cache-Control"] == USUAL
    assert calls == ["get_many"]
    assert len(queries) == 0


def test_an_entry_stored_before_expiry_was_recorded_still_serves(wsgi, newsroom):
    # Entries already in Redis when this version is deployed may have no `expires_at` in their pickled state.
    wsgi.get("/")
    key = services.entry_key("http", "testserver", "/", "")
    entry = pagecache_wsgi.cache.get(key)
    del entry.__dict__["expires_at"]
    pagecache_wsgi.cache.set(key, entry, timeout=60)

    hit = wsgi.get("/")

    assert hit.cache_state == "hit" and hit["Cache-Control"] == USUAL
