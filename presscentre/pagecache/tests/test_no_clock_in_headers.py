"""No clock in the headers: nothing a reader is sent tells them an embargo is pending, or when it lifts.

Lifetimes are the configured ones whatever is under embargo (the lift reaches the caches by its purge), and a
listing's validators move only when what it shows moves: publishing an item still under embargo leaves them
alone, the lift changes them.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from presscentre.embargo.services import lift_embargo
from presscentre.newsroom.tests.factories import ArticleFactory, CategoryFactory, PressReleaseFactory

LIFT = datetime(2031, 3, 2, 9, 0, tzinfo=UTC)
# Every kind of listing: the index and its filters, archives, every feed format, search and both sitemaps.
LISTINGS = [
    "/",
    "/?type=article",
    "/category/economy/",
    "/feed/",
    "/feed/atom/",
    "/feed/json/",
    "/feed/podcast/",
    "/category/economy/feed/",
    "/comments/feed/",
    "/search/?q=budget",
    "/sitemap.xml",
    "/sitemap-items-0.xml",
    "/news-sitemap.xml",
]
VALIDATED = ["/", "/feed/", "/category/economy/"]


@pytest.fixture
def topic(newsroom):
    topic = CategoryFactory(name="Economy", slug="economy")
    for n in range(3):
        ArticleFactory(
            parent=newsroom, title=f"Public item {n}", slug=f"public-{n}", categories=[topic], published_at=LIFT
        )
    return topic


def at(seconds_before_lift: float):
    return time_machine.travel(LIFT - timedelta(seconds=seconds_before_lift), tick=False)


def publish_embargoed(newsroom, topic, captured):
    """Create and publish a release lifting at LIFT, running the purges its publication triggers."""
    with captured(execute=True):
        release = PressReleaseFactory(
            parent=newsroom,
            title="Budget figures",
            slug="budget",
            embargo_until=LIFT,
            published_at=LIFT,
            categories=[topic],
        )
        release.save_revision().publish()
    return release


def cache_controls(wsgi) -> dict[str, str]:
    responses = {url: wsgi.get(url) for url in LISTINGS}
    assert {url: response.status_code for url, response in responses.items()} == dict.fromkeys(LISTINGS, 200)
    return {url: response["Cache-Control"] for url, response in responses.items()}


def test_a_pending_embargo_leaves_every_listing_lifetime_unchanged(
    wsgi, newsroom, topic, django_capture_on_commit_callbacks
):
    with at(120):
        without = cache_controls(wsgi)
    with at(90):
        publish_embargoed(newsroom, topic, django_capture_on_commit_callbacks)
        stored = cache_controls(wsgi)  # rebuilt after the publication's purge
    with at(30):
        hits = cache_controls(wsgi)
    with at(1):
        last = cache_controls(wsgi)

    assert all(without.values()) and without["/"] == "public, max-age=60, s-maxage=600"
    assert stored == without
    assert hits == without
    assert last == without


def test_publishing_an_embargoed_item_moves_no_validator_until_the_lift(
    wsgi, newsroom, topic, django_capture_on_commit_callbacks
):
    with at(300):
        before = {url: wsgi.get(url) for url in VALIDATED}
    with at(200):
        release = publish_embargoed(newsroom, topic, django_capture_on_commit_callbacks)
    with at(100):
        pending = {url: wsgi.get(url) for url in VALIDATED}
    with time_machine.travel(LIFT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert lift_embargo(release, at=timezone.now())
        lifted = {url: wsgi.get(url) for url in VALIDATED}

    for url in VALIDATED:
        assert pending[url].cache_state == "miss", url  # rebuilt after the purge, and still the same
        assert pending[url]["ETag"] == before[url]["ETag"], url
        assert pending[url]["Last-Modified"] == before[url]["Last-Modified"], url
        assert lifted[url]["ETag"] != before[url]["ETag"], url
        assert lifted[url]["Last-Modified"] != before[url]["Last-Modified"], url


def test_the_lift_purge_shows_the_item_at_once_without_waiting_for_a_lifetime(
    wsgi, newsroom, topic, django_capture_on_commit_callbacks
):
    release = publish_embargoed(newsroom, topic, django_capture_on_commit_callbacks)
    with at(90):
        for url in LISTINGS:
            wsgi.get(url)
            assert b"/budget/" not in wsgi.get(url).content, url

    with time_machine.travel(LIFT, tick=False):
        # Still within every lifetime, the app's own copy included: only the purge can refresh the listings.
        assert wsgi.get("/").cache_state == "hit"
        with django_capture_on_commit_callbacks(execute=True):
            assert lift_embargo(release, at=timezone.now())
        after = {
            url: wsgi.get(url) for url in ["/", "/category/economy/", "/feed/", "/feed/atom/", "/sitemap-items-0.xml"]
        }

    for url, response in after.items():
        assert response.cache_state == "miss" and b"/budget/" in response.content, url
