"""Comments behind nginx and Varnish: the comment records, and the rate limit counts, the reader's address."""

from datetime import timedelta

import pytest
from django.test import Client

from presscentre.comments.models import Comment
from presscentre.comments.tests import test_views as views
from presscentre.comments.tests.factories import comment_settings
from presscentre.comments.tests.test_views import OPENED, open_form, send

# The view tests' own item and empty cache.
article = views.article
_empty_cache = views._empty_cache


@pytest.fixture(autouse=True)
def _behind_proxies(settings, db):
    settings.PRESSCENTRE_TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    comment_settings(hold_first_time_authors=False)


def reader_at(address: str, *, spoofed: str = "") -> Client:
    """A browser whose requests arrive through nginx and Varnish on this machine, as in deploy/."""
    chain = f"{spoofed}, {address}, 127.0.0.1" if spoofed else f"{address}, 127.0.0.1"
    return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=chain)


def post_as(reader, item, time_machine, *, minute: int):
    values = open_form(reader, item, time_machine, at=OPENED + timedelta(minutes=minute))
    values["body"] = f"Comment number {minute}."
    return send(reader, item, values, time_machine, at=OPENED + timedelta(minutes=minute, seconds=30))


def test_a_comment_records_the_readers_address_not_the_proxys(article, time_machine):
    response = post_as(reader_at("2001:db8::7", spoofed="192.0.2.1"), article, time_machine, minute=0)

    assert response.status_code == 302
    assert Comment.objects.get().ip_address == "2001:db8::7"


def test_the_rate_limit_counts_each_reader_behind_the_proxies_apart(article, time_machine, settings):
    settings.PRESSCENTRE_COMMENT_RATE_LIMIT = 1
    first, second = reader_at("198.51.100.7"), reader_at("203.0.113.9")

    assert post_as(first, article, time_machine, minute=0).status_code == 302
    # Another reader through the same proxies is not held back by the first one's comment...
    assert post_as(second, article, time_machine, minute=1).status_code == 302
    # ...and the first cannot escape the limit by writing a new address into the header.
    again = reader_at("198.51.100.7", spoofed="192.0.2.55")
    assert post_as(again, article, time_machine, minute=2).status_code == 429

    assert sorted(Comment.objects.values_list("ip_address", flat=True)) == ["198.51.100.7", "203.0.113.9"]


def test_without_trusted_proxies_every_reader_is_the_proxy(article, time_machine, settings):
    settings.PRESSCENTRE_TRUSTED_PROXIES = []
    settings.PRESSCENTRE_COMMENT_RATE_LIMIT = 1

    assert post_as(reader_at("198.51.100.7"), article, time_machine, minute=0).status_code == 302
    assert post_as(reader_at("203.0.113.9"), article, time_machine, minute=1).status_code == 429
    assert Comment.objects.get().ip_address == "127.0.0.1"
