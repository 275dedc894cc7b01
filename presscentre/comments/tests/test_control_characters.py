"""Characters XML 1.0 cannot carry are taken out of comments at input (issue 15, defect 5)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from presscentre.comments.forms import CommentForm
from presscentre.comments.models import Comment
from presscentre.comments.services import post_comment
from presscentre.comments.tests.factories import CommentFactory, comment_settings, filled_form
from presscentre.core.text import has_xml_invalid_characters
from presscentre.newsroom.tests.factories import ArticleFactory

ISSUED = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)
LATER = ISSUED + timedelta(minutes=2)


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    settings.PRESSCENTRE_COMMENT_ALTCHA_MAX_NUMBER = 1000
    cache.clear()


@pytest.fixture
def article(newsroom):
    return ArticleFactory(parent=newsroom, published_at=ISSUED - timedelta(days=1))


def bound(article, **fields) -> CommentForm:
    data = filled_form(article, at=ISSUED, **fields)
    return CommentForm(data, item=article, at=LATER, comment_settings=comment_settings())


def test_the_form_strips_control_characters_and_keeps_the_rest_of_what_was_typed(article):
    form = bound(article, name="Ada\x01 Reader", body="First line\x0bstill first.\n\nSecond\x00 paragraph\x1f.")

    assert form.is_valid(), form.errors
    data = form.comment_data()
    assert data["name"] == "Ada Reader"
    assert data["body"] == "First line still first.\n\nSecond paragraph."


@pytest.mark.parametrize("body", ["\x01\x02\x03", "\x0b\x0c", " \x00 \x1f "])
def test_a_comment_empty_once_stripped_is_refused_with_a_clear_message(article, body):
    form = bound(article, body=body)

    assert not form.is_valid()
    assert "nothing left" in " ".join(form.errors["body"])


def test_a_stripped_comment_from_an_approved_commenter_is_approved_and_clean(article):
    CommentFactory(item=article, author_email="ada@example.net", status=Comment.Status.APPROVED)
    form = bound(article, body="Fine\x0bpoint.")
    assert form.is_valid(), form.errors

    comment = post_comment(
        article, data=form.comment_data(), ip="192.0.2.1", user_agent="", at=LATER, settings=comment_settings()
    )

    assert comment.status == Comment.Status.APPROVED
    assert Comment.objects.get(pk=comment.pk).body == "Fine point."


def test_saving_a_comment_any_other_way_strips_them_too(article):
    comment = CommentFactory(item=article, author_name="Bad\x08Name", body="Imported \x0bbody\x1b", author_url="")

    stored = Comment.objects.get(pk=comment.pk)
    assert not has_xml_invalid_characters(stored.author_name + stored.body)
    assert stored.body == "Imported  body"


def test_comments_written_in_bulk_as_the_importer_does_are_stripped_too(article):
    Comment.objects.bulk_create(
        [Comment(item=article, author_name="Imported\x0c", body="From WordPress\x03.", created_at=ISSUED)]
    )

    stored = Comment.objects.get()
    assert (stored.author_name, stored.body) == ("Imported ", "From WordPress.")
