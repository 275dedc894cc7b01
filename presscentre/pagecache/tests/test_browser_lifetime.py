"""A listing stored before a pending lift tells every later reader only the time left until it, not the lifetime
it was stored with: no browser (or shared cache) keeps it past the lift, however late in its life the hit comes."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from presscentre.newsroom.tests.factories import ArticleFactory, PressReleaseFactory
from presscentre.pagecache import services
from presscentre.pagecache import wsgi as pagecache_wsgi

LIFT = datetime(2031, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def pending(newsroom):
    return PressReleaseFactory(parent=newsroom, slug="later", embargo_until=LIFT, published_at=LIFT)


def at(seconds_before_lift: float):
    return time_machine.travel(LIFT - timedelta(seconds=seconds_before_lift), tick=False)


def test_a_hit_counts_the_browser_lifetime_down_to_the_lift(wsgi, pending):
    with at(30):
        stored = wsgi.get("/")
    with at(10):
        hit = wsgi.get("/")
    with at(0.5):
        last = wsgi.get("/")

    assert stored.cache_state == "miss" and stored["Cache-Control"] == "public, max-age=31, s-maxage=31"
    assert hit.cache_state == "hit" and hit["Cache-Control"] == "public, max-age=11, s-maxage=11"
    assert last.cache_state == "hit" and last["Cache-Control"] == "public, max-age=1, s-maxage=1"


def test_a_page_stored_long_before_the_lift_is_cut_short_once_the_lift_is_near(wsgi, pending, settings):
    # Stored with the full lifetimes (the lift is further off than either); a hit 20 s before the lift must
    # not let a browser keep it 60 s, nor a shared cache 600 s.
    with at(590):
        stored = wsgi.get("/")
    with at(20):
        hit = wsgi.get("/")

    assert stored["Cache-Control"] == "public, max-age=60, s-maxage=591"
    assert hit.cache_state == "hit" and hit["Cache-Control"] == "public, max-age=21, s-maxage=21"


def test_far_from_the_lift_a_hit_keeps_the_stored_lifetimes(wsgi, pending):
    with at(3000):
        wsgi.get("/")
    with at(2990):
        hit = wsgi.get("/")

    assert hit.cache_state == "hit" and hit["Cache-Control"] == "public, max-age=60, s-maxage=600"


def test_a_revalidation_on_a_hit_carries_the_time_left_too(wsgi, pending):
    with at(30):
        etag = wsgi.get("/")["ETag"]
    with at(20):
        not_modified = wsgi.get("/", HTTP_IF_NONE_MATCH=etag)

    assert not_modified.status_code == 304
    assert not_modified["Cache-Control"] == "public, max-age=21, s-maxage=21"


def test_without_a_pending_embargo_a_hit_repeats_the_stored_lifetimes(wsgi, newsroom):
    with at(30):
        wsgi.get("/")
    with at(10):
        hit = wsgi.get("/")

    assert hit.cache_state == "hit" and hit["Cache-Control"] == "public, max-age=60, s-maxage=600"


def test_item_pages_are_not_cut_short_by_another_items_embargo(wsgi, newsroom, pending):
    item = ArticleFactory(parent=newsroom, slug="standing", comments_open=False, published_at=LIFT - timedelta(days=1))
    with at(30):
        wsgi.get(item.url)
    with at(10):
        hit = wsgi.get(item.url)

    assert hit.cache_state == "hit" and hit["Cache-Control"] == "public, max-age=60, s-maxage=600"


def test_the_counted_down_hit_stays_one_cache_round_trip_and_no_query(wsgi, pending, monkeypatch):
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

    assert hit.cache_state == "hit" and "max-age=11" in hit["Cache-Control"]
    assert calls == ["get_many"]
    assert len(queries) == 0


def test_an_entry_stored_before_expiry_was_recorded_still_serves(wsgi, newsroom):
    # Entries already in Redis when this version is deployed have no `expires_at` in their pickled state.
    wsgi.get("/")
    key = services.entry_key("http", "testserver", "/", "")
    entry = pagecache_wsgi.cache.get(key)
    del entry.__dict__["expires_at"]
    pagecache_wsgi.cache.set(key, entry, timeout=60)

    hit = wsgi.get("/")

    assert hit.cache_state == "hit" and hit["Cache-Control"] == "public, max-age=60, s-maxage=600"


@pytest.mark.parametrize(
    ("value", "left", "expected"),
    [
        ("public, max-age=60, s-maxage=600", 25, "public, max-age=25, s-maxage=25"),
        ("public, max-age=10, s-maxage=600", 25, "public, max-age=10, s-maxage=25"),
        ("private, max-age=60", 5, "private, max-age=5"),
        ("public, max-age=60, s-maxage=600", -3, "public, max-age=0, s-maxage=0"),
        ("no-store", 5, "no-store"),
    ],
)
def test_cache_control_is_cut_to_the_seconds_left(value, left, expected):
    now = 1_900_000_000.25
    assert services.cache_control_at(value, expires_at=now + left, now=now) == expected
