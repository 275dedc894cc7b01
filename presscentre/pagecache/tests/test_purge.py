"""Each event that changes what the public sees purges exactly the pages it affects, through the WSGI cache."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from wagtail.models import Site

from presscentre.comments.models import Comment, CommentSettings
from presscentre.comments.moderation import set_comments_status
from presscentre.comments.tests.factories import CommentFactory
from presscentre.embargo.services import lift_embargo
from presscentre.newsroom.models import PressCentreSettings
from presscentre.newsroom.tests.factories import ArticleFactory, CategoryFactory, PressReleaseFactory
from presscentre.pagecache import services
from presscentre.syndication.models import SyndicationSettings


@pytest.fixture
def topic():
    return CategoryFactory(name="Economy", slug="economy")


@pytest.fixture
def item(newsroom, topic):
    return ArticleFactory(parent=newsroom, title="Standing item", slug="standing", categories=[topic])


@pytest.fixture
def other(newsroom):
    return ArticleFactory(parent=newsroom, title="Another item", slug="another")


def warm(wsgi, *urls):
    for url in urls:
        wsgi.get(url)
        assert wsgi.get(url).cache_state == "hit", url


LISTINGS = [
    "/",
    "/?page=1",
    "/?type=article",
    "/category/economy/",
    "/feed/",
    "/sitemap-items-0.xml",
    "/search/?q=freshly",
]


def test_publishing_a_new_item_purges_the_listings_but_not_other_items(
    wsgi, newsroom, item, other, topic, settings, django_capture_on_commit_callbacks
):
    warm(wsgi, *LISTINGS, item.url, other.url)
    fresh = ArticleFactory(parent=newsroom, title="Freshly published", slug="fresh", live=False, categories=[topic])

    with django_capture_on_commit_callbacks(execute=True):
        fresh.save_revision().publish()

    for url in LISTINGS:
        response = wsgi.get(url)
        assert response.cache_state == "miss", url
        assert b"/fresh/" in response.content, url
    assert wsgi.get(other.url).cache_state == "hit"


def test_republishing_an_item_purges_its_own_page_with_every_query_string(
    wsgi, item, django_capture_on_commit_callbacks
):
    warm(wsgi, item.url, f"{item.url}?replytocom=1")
    item.title = "Corrected headline"

    with django_capture_on_commit_callbacks(execute=True):
        item.save_revision().publish()

    for url in (item.url, f"{item.url}?replytocom=1"):
        response = wsgi.get(url)
        assert response.cache_state == "miss"
        assert b"Corrected headline" in response.content


def test_unpublishing_removes_the_item_and_its_listing_entries(wsgi, item, django_capture_on_commit_callbacks):
    warm(wsgi, item.url, "/", "/category/economy/", "/feed/")

    with django_capture_on_commit_callbacks(execute=True):
        item.unpublish()

    assert wsgi.get(item.url).status_code == 404
    for url in ("/", "/category/economy/", "/feed/"):
        assert b"Standing item" not in wsgi.get(url).content, url


def test_a_lift_puts_the_item_in_every_listing_at_once(wsgi, newsroom, topic, item, django_capture_on_commit_callbacks):
    # `item` is public in the topic, so the topic's archive is listed (and cached) before the lift too.
    lift = datetime(2031, 3, 2, 9, 0, tzinfo=UTC)
    release = PressReleaseFactory(
        parent=newsroom,
        title="Budget figures",
        slug="budget",
        embargo_until=lift,
        published_at=lift,
        categories=[topic],
    )
    urls = ["/", "/category/economy/", "/feed/", "/sitemap-items-0.xml"]
    with time_machine.travel(lift - timedelta(seconds=1), tick=False):
        warm(wsgi, *urls)
        assert all(b"/budget/" not in wsgi.get(url).content for url in urls)

    with time_machine.travel(lift, tick=False):
        assert wsgi.get("/").cache_state == "hit"  # still within its lifetime: only the purge can refresh it
        with django_capture_on_commit_callbacks(execute=True):
            assert lift_embargo(release, at=timezone.now())
        for url in urls:
            assert b"/budget/" in wsgi.get(url).content, url


def test_a_listing_is_never_kept_past_the_next_embargo_even_without_a_purge(wsgi, newsroom):
    lift = datetime(2031, 3, 2, 9, 0, tzinfo=UTC)
    PressReleaseFactory(parent=newsroom, slug="later", embargo_until=lift, published_at=lift)

    with time_machine.travel(lift - timedelta(seconds=30), tick=False):
        response = wsgi.get("/")
    with time_machine.travel(lift + timedelta(seconds=2), tick=False):
        after = wsgi.get("/")

    # The app's own copy stops at the lift, but the headers never say so: they are the usual lifetimes.
    assert response["Cache-Control"] == "public, max-age=60, s-maxage=600"
    assert after.cache_state == "miss" and b"/later/" in after.content


def test_approving_a_comment_shows_it_on_the_item_and_in_the_counts(wsgi, newsroom, django_capture_on_commit_callbacks):
    item = ArticleFactory(parent=newsroom, slug="discussed", comments_open=True)
    comment = CommentFactory(item=item, body="A thoughtful point about budgets.")
    warm(wsgi, item.url, "/", "/comments/feed/")

    with django_capture_on_commit_callbacks(execute=True):
        set_comments_status(Comment.objects.filter(pk=comment.pk), Comment.Status.APPROVED, at=timezone.now())

    assert b"A thoughtful point about budgets." in wsgi.get(item.url).content
    assert b"1 Comment" in wsgi.get("/").content
    assert b"A thoughtful point about budgets." in wsgi.get("/comments/feed/").content


@pytest.mark.parametrize("setting_model", [PressCentreSettings, CommentSettings, SyndicationSettings])
def test_a_settings_change_purges_every_page(wsgi, item, setting_model, django_capture_on_commit_callbacks):
    warm(wsgi, item.url, "/", "/feed/")
    site_settings = setting_model.for_site(Site.objects.get(is_default_site=True))

    with django_capture_on_commit_callbacks(execute=True):
        site_settings.save()

    assert [wsgi.get(url).cache_state for url in (item.url, "/", "/feed/")] == ["miss"] * 3


def test_the_organisation_name_changes_everywhere_at_once(wsgi, item, django_capture_on_commit_callbacks):
    warm(wsgi, item.url, "/")
    site_settings = PressCentreSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.organisation_name = "The Renamed Institute"

    with django_capture_on_commit_callbacks(execute=True):
        site_settings.save()

    assert b"The Renamed Institute" in wsgi.get(item.url).content
    assert b"The Renamed Institute" in wsgi.get("/").content


def test_renaming_a_category_purges_every_page(wsgi, item, topic, django_capture_on_commit_callbacks):
    warm(wsgi, item.url, "/category/economy/")
    topic.name = "Public finances"

    with django_capture_on_commit_callbacks(execute=True):
        topic.save()

    assert b"Public finances" in wsgi.get(item.url).content
    assert b"Public finances" in wsgi.get("/category/economy/").content


def test_a_purge_during_rendering_leaves_the_stored_page_stale(wsgi, item, monkeypatch):
    from presscentre.pagecache import middleware

    real = middleware._label

    def purge_then_label(request, response, group):
        services.purge_item(item)  # lands after the page was built from the old rows
        return real(request, response, group)

    monkeypatch.setattr(middleware, "_label", purge_then_label)
    wsgi.get(item.url)
    monkeypatch.setattr(middleware, "_label", real)

    assert wsgi.get(item.url).cache_state == "miss"


def test_a_purge_is_one_write_whatever_the_archive_size(item, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        services.purge_listings()
        services.purge_site()
