"""The page cache learns about the apps above it by registration (issue 16, item 3): each app's ready() fills it."""

from datetime import UTC, datetime, timedelta

from presscentre.comments.apps import comment_feed_tags
from presscentre.comments.views import PENDING_COOKIE, challenge_fragment
from presscentre.core import pagination
from presscentre.newsroom.cache_tags import item_tags
from presscentre.newsroom.tests.factories import ArticleFactory, PressReleaseFactory
from presscentre.pagecache import registry, services

NOW = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


def test_every_app_has_told_the_cache_what_it_needs_at_start_up():
    assert PENDING_COOKIE in registry.bypass_cookies()
    assert {"/comments/post/", "/comments/challenge/", "/embargoed/"} <= set(registry.bypass_prefixes())
    assert registry.fragment("/comments/challenge/") is challenge_fragment
    assert {item_tags, comment_feed_tags} <= set(registry._item_tags)
    assert {
        "newsroom.category",
        "newsroom.person",
        "newsroom.presscentresettings",
        "newsroom.boilerplate",
        "comments.commentsettings",
        "syndication.syndicationsettings",
        "wagtailcore.site",
        "wagtailredirects.redirect",
    } <= set(registry.site_wide_models())
    assert pagination._count_store is services.cached_count


def test_the_cache_tells_items_from_other_pages_by_the_registered_class(newsroom):
    item = ArticleFactory(parent=newsroom)

    assert registry.is_item(item) and not registry.is_item(newsroom)


def test_the_next_lift_is_the_earliest_pending_embargo_of_a_live_item(newsroom):
    assert registry.next_lift(NOW) is None
    PressReleaseFactory(parent=newsroom, embargo_until=NOW + timedelta(hours=5), published_at=NOW)
    PressReleaseFactory(parent=newsroom, embargo_until=NOW + timedelta(hours=2), published_at=NOW)
    PressReleaseFactory(parent=newsroom, embargo_until=NOW + timedelta(hours=1), published_at=NOW, live=False)

    assert registry.next_lift(NOW) == NOW + timedelta(hours=2)
