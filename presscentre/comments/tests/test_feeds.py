from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
import time_machine

from presscentre.comments.models import Comment
from presscentre.comments.tests.factories import CommentFactory
from presscentre.core.urls_public import public_url
from presscentre.newsroom.tests.factories import ArticleFactory, PressReleaseFactory

NOW = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)
APPROVED = Comment.Status.APPROVED


def feed_items(response) -> list[ElementTree.Element]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ElementTree.fromstring(response.content).find("channel")  # noqa: S314 - our own feed
    return channel.findall("item")


def titles(response) -> list[str]:
    return [item.findtext("title") for item in feed_items(response)]


@pytest.fixture
def article(newsroom):
    return ArticleFactory(parent=newsroom, title="Budgets")


def test_site_feed_lists_approved_comments_newest_first(article, reader):
    CommentFactory(item=article, status=APPROVED, author_name="Older", created_at=NOW - timedelta(hours=2))
    CommentFactory(item=article, status=APPROVED, author_name="Newer", created_at=NOW - timedelta(hours=1))
    for status in (Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.TRASH):
        CommentFactory(item=article, status=status, author_name=f"Not {status}")

    assert titles(reader.get("/comments/feed/")) == ["Comment on Budgets by Newer", "Comment on Budgets by Older"]


def test_feed_entry_links_to_the_comment_and_names_its_author_only(article, reader):
    comment = CommentFactory(
        item=article, status=APPROVED, author_name="Ada", author_email="ada.secret@example.net", body="Yes.\n\nAnd no."
    )

    response = reader.get("/comments/feed/")
    (entry,) = feed_items(response)

    assert entry.findtext("link") == f"{public_url(article.url)}#comment-{comment.pk}"
    assert entry.findtext("{http://purl.org/dc/elements/1.1/}creator") == "Ada"
    assert entry.find("author") is None
    assert entry.findtext("description") == "<p>Yes.</p>\n\n<p>And no.</p>"
    assert b"ada.secret" not in response.content


def test_site_feed_keeps_the_latest_fifty(article, reader):
    CommentFactory.create_batch(55, item=article, status=APPROVED)

    assert len(feed_items(reader.get("/comments/feed/"))) == 50


def test_item_feed_lists_that_items_comments_only(article, newsroom, reader):
    other = ArticleFactory(parent=newsroom, title="Other")
    CommentFactory(item=article, status=APPROVED, author_name="Here")
    CommentFactory(item=other, status=APPROVED, author_name="There")
    CommentFactory(item=article, status=Comment.Status.PENDING, author_name="Held")

    response = reader.get(f"/comments/feed/{article.pk}/")

    assert titles(response) == ["Comment on Budgets by Here"]
    channel = ElementTree.fromstring(response.content).find("channel")  # noqa: S314 - our own feed
    assert channel.findtext("title") == "Comments on: Budgets"
    assert channel.findtext("link") == public_url(article.url)


def test_item_page_points_feed_readers_at_its_comment_feed(article, reader):
    from bs4 import BeautifulSoup

    link = BeautifulSoup(reader.get(article.url).content, "html.parser").select_one(
        'link[rel=alternate][type="application/rss+xml"][href^="/comments/feed/"]'
    )

    assert link["href"] == f"/comments/feed/{article.pk}/"


def test_unknown_or_unpublished_item_has_no_comment_feed(newsroom, reader):
    draft = ArticleFactory(parent=newsroom, live=False)
    CommentFactory(item=draft, status=APPROVED)

    assert reader.get(f"/comments/feed/{draft.pk}/").status_code == 404
    assert reader.get("/comments/feed/999999/").status_code == 404
    assert titles(reader.get("/comments/feed/")) == []


def test_embargoed_items_comments_appear_in_the_feeds_exactly_at_the_lift(newsroom, reader):
    lift = NOW + timedelta(hours=1)
    release = PressReleaseFactory(parent=newsroom, title="Secret", comments_open=True, embargo_until=lift)
    CommentFactory(item=release, status=APPROVED, author_name="Early bird", body="Embargoed words.")

    with time_machine.travel(lift - timedelta(seconds=1), tick=False):
        item_feed = reader.get(f"/comments/feed/{release.pk}/")
        site_feed = reader.get("/comments/feed/")
    assert item_feed.status_code == 404
    assert b"Embargoed words." not in site_feed.content
    assert b"Secret" not in site_feed.content

    with time_machine.travel(lift, tick=False):
        assert titles(reader.get(f"/comments/feed/{release.pk}/")) == ["Comment on Secret by Early bird"]
        assert titles(reader.get("/comments/feed/")) == ["Comment on Secret by Early bird"]
