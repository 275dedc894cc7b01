"""Comment feeds carry titles and names as text, comments as sanitised HTML, and survive any stored character
(issue 15, defects 1 and 5)."""

import pytest
from django.test import Client
from hypothesis import given
from lxml import etree
from wagtail.models import Page

from presscentre.comments.models import Comment
from presscentre.comments.tests.factories import CommentFactory
from presscentre.core.text import has_xml_invalid_characters
from presscentre.newsroom.tests.factories import ArticleFactory
from presscentre.syndication.tests.test_feed_safety import SAFETY, assert_html_reads_as, assert_inert, hostile_text

DC = "{http://purl.org/dc/elements/1.1/}"


def comment_feeds(item) -> list[str]:
    return ["/comments/feed/", f"/comments/feed/{item.pk}/"]


@pytest.fixture
def comment(newsroom) -> Comment:
    """An article with one approved comment, built once per test and rewritten by each example."""
    return CommentFactory(item=ArticleFactory(parent=newsroom), status=Comment.Status.APPROVED)


def write_comment(comment, *, title: str, commenter: str, body: str) -> None:
    """Straight into the rows, past the forms' and models' checks, as rows saved before those checks were."""
    Page.objects.filter(pk=comment.item_id).update(title=title)
    Comment.objects.filter(pk=comment.pk).update(author_name=commenter, body=body)


@SAFETY
@given(title=hostile_text, commenter=hostile_text, body=hostile_text)
def test_comment_feeds_carry_titles_and_names_as_text_and_comments_sanitised(comment, title, commenter, body):
    write_comment(comment, title=title, commenter=commenter, body=body)
    client = Client()

    for url in comment_feeds(comment.item):
        response = client.get(url)
        assert response.status_code == 200, url
        channel = etree.fromstring(response.content).find("channel")
        assert_inert(channel.findtext("description"), "comment feed description")
        (item,) = channel.iter("item")
        assert item.findtext("title") == f"Comment on {title} by {commenter}"
        assert item.findtext(f"{DC}creator") == commenter
        assert_inert(item.findtext("description"), "comment")
    item_feed = etree.fromstring(client.get(comment_feeds(comment.item)[1]).content).find("channel")
    assert item_feed.findtext("title") == f"Comments on: {title}"
    assert_html_reads_as(item_feed.findtext("description"), f"Readers' comments on {title}.", "channel description")


@pytest.mark.parametrize("character", ["\x0b", "\x0c", "\x01", "\x1f"])
def test_a_control_character_in_a_stored_comment_name_or_title_takes_no_comment_feed_down(comment, character):
    write_comment(
        comment,
        title=f"Budget{character}plans",
        commenter=f"Ada{character}Reader",
        body=f"Agreed{character}entirely.\n\nSecond{character}thought.",
    )
    client = Client()

    for url in comment_feeds(comment.item):
        response = client.get(url)

        assert response.status_code == 200, url
        assert not has_xml_invalid_characters(response.content.decode()), url
        (item,) = etree.fromstring(response.content).find("channel").iter("item")
        # A vertical tab or form feed stands between words; other control characters simply go.
        assert item.findtext(f"{DC}creator") == ("Ada Reader" if character in "\x0b\x0c" else "AdaReader")
