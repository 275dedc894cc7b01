"""A comment post too long to read is refused from its headers, before a byte of its body is read (issue 17,
item 8: a slow or huge body must not hold a worker), while the longest comment the form accepts still fits."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core.cache import cache

from presscentre.comments.forms import MAX_BODY_LENGTH
from presscentre.comments.models import Comment
from presscentre.comments.tests.test_views import OPENED, form_action, open_form, text_of
from presscentre.comments.views import MAX_POST_BYTES
from presscentre.newsroom.tests.factories import ArticleFactory, PressReleaseFactory


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the request body was read")

    readline = read

    def __iter__(self):
        raise AssertionError("the request body was read")


def post_unread(client, item, **headers):
    return client.generic(
        "POST",
        form_action(item),
        content_type="application/x-www-form-urlencoded",
        **{"wsgi.input": UnreadableBody(), **headers},
    )


@pytest.fixture(autouse=True)
def _small_proof_of_work_and_no_rate_limits_left(settings):
    settings.PRESSCENTRE_COMMENT_ALTCHA_MAX_NUMBER = 1000
    cache.clear()


@pytest.fixture
def article(newsroom):
    return ArticleFactory(parent=newsroom, title="Open item", published_at=OPENED - timedelta(days=1))


def test_post_longer_than_the_limit_is_refused_unread_saying_how_long_a_comment_may_be(article, reader):
    response = post_unread(reader, article, CONTENT_LENGTH=str(MAX_POST_BYTES + 1))

    assert response.status_code == 413
    assert response["Cache-Control"] == "private, no-store"
    text = text_of(response)
    assert "Your comment is too long to send; shorten it to 65,525 characters." in text
    assert "It was not read, so nothing you typed could be kept here" in text
    assert f'href="{article.url}"' in response.content.decode()
    assert not Comment.objects.exists()


def test_a_huge_declared_length_is_refused_just_the_same(article, reader):
    response = post_unread(reader, article, CONTENT_LENGTH=str(10**12))

    assert response.status_code == 413


def test_post_of_unknown_length_is_refused_unread(article, reader):
    response = post_unread(reader, article, HTTP_TRANSFER_ENCODING="chunked")

    assert response.status_code == 411
    assert "Content-Length" in response.content.decode()


def test_post_with_a_malformed_length_is_refused_unread(article, reader):
    response = post_unread(reader, article, CONTENT_LENGTH="-1")

    assert response.status_code == 411


def test_the_longest_comment_in_the_widest_characters_still_fits(article, reader, time_machine):
    # Every character four UTF-8 bytes, each percent-encoded as a browser sends a form: the worst case.
    values = open_form(reader, article, time_machine)
    values["body"] = "\N{GRINNING FACE}" * MAX_BODY_LENGTH
    encoded = urlencode(values)
    assert len(encoded) > MAX_BODY_LENGTH * 12

    time_machine.move_to(OPENED + timedelta(seconds=30), tick=False)
    response = reader.post(form_action(article), encoded, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 302
    assert Comment.objects.get().body.count("\N{GRINNING FACE}") == MAX_BODY_LENGTH


def test_djangos_own_lower_limit_lowers_the_refusal_and_its_message(article, reader, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000

    response = post_unread(reader, article, CONTENT_LENGTH="100001")

    assert response.status_code == 413
    # (100,000 bytes less 16 KiB for the other fields) / 12 bytes a character, at worst.
    assert "shorten it to 6,968 characters" in text_of(response)


def test_refusal_does_not_link_to_an_item_the_reader_may_not_see(newsroom, reader):
    embargoed = PressReleaseFactory(parent=newsroom, title="Secret merger", embargo_until=OPENED + timedelta(days=9))

    response = post_unread(reader, embargoed, CONTENT_LENGTH=str(MAX_POST_BYTES + 1))

    assert response.status_code == 413
    assert "Secret merger" not in response.content.decode()
